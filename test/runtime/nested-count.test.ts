// `count N` beside a nested `for` counts rows; items make as many rows as their lists hold. When every item was
// made and they make fewer than N rows, the dataset is complete with what exists (as a plain `for` with fewer items
// than N is), never "rows missing" with exit 3 on every run (adv14 #3); when N rows exist it stops at N.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function runCount(levels: 2 | 3, count: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-nested-count-'));
  // a → [x, y], b → [w], c → []: three rows with two levels, six with three (each tag and "z")
  writeFileSync(path.join(dir, 'p.csv'), 'name,tags\na,"[""x"",""y""]"\nb,"[""w""]"\nc,[]\n');
  writeFileSync(
    path.join(dir, 's.synth'),
    `struct P { name: string, tags: string[] }
struct R { name: string, t: string }
source people: P = table("p.csv")
dataset d: R {
  count ${count}
  for p in people
  for t in p.tags
${levels === 3 ? '  for u in [t, "z"]\n  row = { name: p.name, t: u }' : '  row = { name: p.name, t: t }'}
  output "out/d.jsonl"
}
`,
  );
  const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
  const r = await run(plan, { projectRoot: dir });
  return { d: r.results[0]!, rows: lines(path.join(dir, 'out', 'd.jsonl')), error: r.error };
}

describe('count N with a nested for', () => {
  const all2 = ['a/x', 'a/y', 'b/w'];
  const all3 = ['a/x', 'a/z', 'a/y', 'a/z', 'b/w', 'b/z'];
  for (const [levels, all] of [
    [2, all2],
    [3, all3],
  ] as const) {
    for (let n = 1; n <= all.length + 2; n++) {
      it(`${levels} levels, count ${n} of ${all.length} possible rows: the first ${Math.min(n, all.length)}, complete`, async () => {
        const { d, rows, error } = await runCount(levels, n);
        expect(error).toBeUndefined();
        expect(rows.map((r) => `${String(r['name'])}/${String(r['t'])}`)).toEqual(all.slice(0, n));
        expect(d.missing).toBe(0);
        expect(d.status).toBe('complete');
      });
    }
  }
});
