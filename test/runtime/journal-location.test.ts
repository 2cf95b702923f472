// Journals are keyed by the output's path relative to the project (runtime/dataset/paths.ts). The adversarial
// instance: journals were keyed by the absolute output path, so a project folder moved (or copied) elsewhere
// lost every row's journal and made them all again. Now the moved project reuses every row and writes the same
// bytes; a journal an earlier synth kept under the absolute-path key is adopted, not lost.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { journalPath, legacyJournalPath } from '../../runtime/dataset/paths.js';
import { run } from '../../runtime/run/run-plan.js';

const SPEC = `source docs = files("docs/*.md") {
  chunk 64
}
struct R { a: int  t: string }
dataset d: R {
  count 8
  vary a ~ randint(1, 1000000)
  row = { a: a, t: "x" }
  output "out/d.jsonl"
}
dataset s: R {
  for c in docs
  vary a ~ randint(1, 1000000)
  row = { a: a, t: c.text }
  output "out/s.jsonl"
}
`;

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-jloc-'));
  writeFileSync(path.join(dir, 'spec.synth'), SPEC);
  mkdirSync(path.join(dir, 'docs'));
  for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, 'docs', `doc${i}.md`), `# Doc ${i}\n\n${'Some words about thing ' + i + '. '.repeat(20)}\n`);
  return dir;
}

const runIn = (dir: string) => run(buildPlan(checkFile(path.join(dir, 'spec.synth'))).plan, { projectRoot: dir });
const bytes = (dir: string) => ['d', 's'].map((n) => readFileSync(path.join(dir, 'out', `${n}.jsonl`), 'utf8'));

describe('journal location', () => {
  it('a project moved or copied elsewhere reuses every row and writes the same bytes', async () => {
    const a = project();
    const first = await runIn(a);
    expect(first.results.map((r) => r.status)).toEqual(['complete', 'complete']);
    const want = bytes(a);
    const moved = path.join(mkdtempSync(path.join(tmpdir(), 'synth-jloc-to-')), 'elsewhere');
    renameSync(a, moved);
    const again = await runIn(moved);
    for (const r of again.results) {
      expect(r.counts.reused, r.name).toBe(r.counts.written);
      expect(r.counts.remade + r.counts.made, r.name).toBe(0);
    }
    expect(bytes(moved)).toEqual(want);
    const copy = path.join(path.dirname(moved), 'copy');
    cpSync(moved, copy, { recursive: true });
    const third = await runIn(copy);
    expect(third.results.every((r) => r.counts.made + r.counts.remade === 0)).toBe(true);
    expect(bytes(copy)).toEqual(want);
  });

  it('a journal under the old absolute-path key is adopted: its rows are reused', async () => {
    const a = project();
    await runIn(a);
    const want = bytes(a);
    for (const n of ['d', 's']) {
      const out = path.join(a, 'out', `${n}.jsonl`);
      renameSync(journalPath(a, n, out), legacyJournalPath(a, n, out));
    }
    const again = await runIn(a);
    expect(again.results.every((r) => r.counts.made + r.counts.remade === 0 && r.counts.reused > 0)).toBe(true);
    expect(bytes(a)).toEqual(want);
    expect(readdirSync(path.join(a, '.synth', 'journal')).sort()).toEqual(['d', 's'].map((n) => path.basename(journalPath(a, n, path.join(a, 'out', `${n}.jsonl`)))).sort());
    rmSync(a, { recursive: true, force: true });
  });
});
