import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { mergeShards } from '../../runtime/merge.js';
import { run } from '../../runtime/run/run-plan.js';
import { planOf } from '../support/synth.js';

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
  const { dir, plan } = planOf(SPEC(fmt, count), { name: 's.synth', prefix: 'synth-shard-' });
  return { dir, plan };
}

describe('deterministic shards and merge', () => {
  for (const [fmt, count] of [['jsonl', 100], ['csv', 100], ['jsonl', 120]] as const) {
    it(`--shard 0/4 … 3/4 then merge equals one unsharded run (${fmt}, count ${count})`, async () => {
      const { dir, plan } = await setup(fmt, count);
      // 180 distinct labels, 100 or 120 asked for: dedup across shards and the count target both matter
      const one = await run(plan, { projectRoot: dir, outDir: path.join(dir, 'whole') });
      expect(one.incomplete).toEqual([]);
      const dirs: string[] = [];
      for (let i = 0; i < 4; i++) {
        const d = path.join(dir, `shard${i}`);
        dirs.push(d);
        await run(plan, { projectRoot: dir, outDir: d, shard: { index: i, count: 4 } });
      }
      const [r] = await mergeShards(dirs, path.join(dir, 'merged'));
      const whole = readFileSync(path.join(dir, 'whole', `things.${fmt}`), 'utf8');
      const merged = readFileSync(r!.output, 'utf8');
      expect(merged.split('\n').length).toBeGreaterThan(100);
      expect(merged).toBe(whole);
    });
  }

  it('a dataset one run cannot complete (180 labels, count 500): the merge refuses, never other rows', async () => {
    const { dir, plan } = await setup('jsonl', 500);
    const one = await run(plan, { projectRoot: dir, outDir: path.join(dir, 'whole') });
    expect(one.incomplete).toEqual(['things']);
    const dirs: string[] = [];
    for (let i = 0; i < 4; i++) {
      dirs.push(path.join(dir, `shard${i}`));
      await run(plan, { projectRoot: dir, outDir: dirs[i]!, shard: { index: i, count: 4 } });
    }
    // each shard stopped at its share and margin of distinct labels: which rows one run keeps past that is unknown
    await expect(mergeShards(dirs, path.join(dir, 'merged'))).rejects.toThrow(/SYN5109|stopped at row/);
  });

  it('refuses shards of different plans and missing shards', async () => {
    const a = await setup('jsonl');
    const b = await setup('jsonl');
    b.plan.hash = 'different';
    await run(a.plan, { projectRoot: a.dir, outDir: path.join(a.dir, 's0'), shard: { index: 0, count: 2 } });
    await run(b.plan, { projectRoot: b.dir, outDir: path.join(a.dir, 's1'), shard: { index: 1, count: 2 } });
    await expect(mergeShards([path.join(a.dir, 's0'), path.join(a.dir, 's1')], path.join(a.dir, 'm'))).rejects.toThrow(/different plans/);
    await expect(mergeShards([path.join(a.dir, 's0')], path.join(a.dir, 'm'))).rejects.toThrow(/shards missing: 1\/2/);
  });

  it('--shard over a simulation (world blocks) then merge equals one unsharded run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-shard-sim-'));
    writeFileSync(
      path.join(dir, 's.synth'),
      `goal "sim shards" { seed 8 }
sim walk {
  worlds 50
  agents 6
  steps 40
  state x: f32 = uniform(0.0, 10.0)
  state v: f32 = normal(0.0, 1.0)
  rule move {
    x = x + v * 0.1
    if x < 0.0 || x > 10.0 { v = -v  emit bounce { at: x } }
  }
  event bounce { at: f32 }
  observe every 10 { x, v }
}
dataset bounces { for e in walk.bounce  vary jitter ~ uniform(0.0, 1.0)  row = { w: e.world, t: e.step, at: e.at, j: jitter }  output "out/bounces.jsonl" }
dataset traj { for r in walk.trajectory  row = { w: r.world, a: r.agent, t: r.step, x: r.x }  output "out/traj.csv" }
`,
    );
    const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
    await run(plan, { projectRoot: dir, outDir: path.join(dir, 'whole'), backend: 'cpu' });
    const dirs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = path.join(dir, `shard${i}`);
      dirs.push(d);
      await run(plan, { projectRoot: dir, outDir: d, backend: 'cpu', shard: { index: i, count: 4 } });
    }
    const merged = await mergeShards(dirs, path.join(dir, 'merged'));
    expect(merged.map((m) => m.dataset).sort()).toEqual(['bounces', 'traj']);
    for (const f of ['bounces.jsonl', 'traj.csv']) {
      const whole = readFileSync(path.join(dir, 'whole', f), 'utf8');
      expect(whole.split('\n').length).toBeGreaterThan(20);
      expect(readFileSync(path.join(dir, 'merged', f), 'utf8')).toBe(whole);
    }
  });
});
