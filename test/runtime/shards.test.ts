import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/build.js';
import { mergeShards } from '../../runtime/merge.js';
import { runPlan } from '../../runtime/run-plan.js';

const SPEC = (fmt: string, count = 500) => `goal "shards" { seed 21  split { train: 0.75, test: 0.25 } }
enum Kind { a, b, c }
dataset things {
  count ${count}
  vary kind ~ uniform(Kind)
  vary n ~ randint(1, 60)
  vary x ~ normal(0.0, 1.0)
  row = { kind: kind, n: n, label: str(kind) + "-" + str(n), x: x }
  check x > -1.5
  unique row.label
  output "out/things.${fmt}"
}
`;

async function setup(fmt: string, count = 500) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-shard-'));
  writeFileSync(path.join(dir, 's.synth'), SPEC(fmt, count));
  const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
  return { dir, plan };
}

describe('deterministic shards and merge', () => {
  for (const [fmt, count] of [['jsonl', 500], ['csv', 500], ['jsonl', 120]] as const) {
    it(`--shard 0/4 … 3/4 then merge equals one unsharded run (${fmt}, count ${count})`, async () => {
      const { dir, plan } = await setup(fmt, count);
      // 180 distinct labels < 500: dedup across shards and the count target both matter
      await runPlan({ plan, projectRoot: dir, outDir: path.join(dir, 'whole') });
      const dirs: string[] = [];
      for (let i = 0; i < 4; i++) {
        const d = path.join(dir, `shard${i}`);
        dirs.push(d);
        await runPlan({ plan, projectRoot: dir, outDir: d, shard: { index: i, count: 4 } });
      }
      const [r] = await mergeShards(dirs, path.join(dir, 'merged'));
      const whole = readFileSync(path.join(dir, 'whole', `things.${fmt}`), 'utf8');
      const merged = readFileSync(r!.output, 'utf8');
      expect(merged.split('\n').length).toBeGreaterThan(100);
      expect(merged).toBe(whole);
    });
  }

  it('refuses shards of different plans and missing shards', async () => {
    const a = await setup('jsonl');
    const b = await setup('jsonl');
    b.plan.hash = 'different';
    await runPlan({ plan: a.plan, projectRoot: a.dir, outDir: path.join(a.dir, 's0'), shard: { index: 0, count: 2 } });
    await runPlan({ plan: b.plan, projectRoot: b.dir, outDir: path.join(a.dir, 's1'), shard: { index: 1, count: 2 } });
    await expect(mergeShards([path.join(a.dir, 's0'), path.join(a.dir, 's1')], path.join(a.dir, 'm'))).rejects.toThrow(/different plans/);
    await expect(mergeShards([path.join(a.dir, 's0')], path.join(a.dir, 'm'))).rejects.toThrow(/missing shard 1\/2/);
  });
});
