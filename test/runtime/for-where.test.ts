// `for e in SIM.EVENT where COND` and `count N` beside a `for` (#12), as users run them: through the CLI against
// the test server (real HTTP). A dropped event sends no request — the server's request count equals the events
// that pass, and equals what `--dry-run` said; `count N` makes the first N rows in canonical order and calls no
// prompt beyond them; sharded runs merge to the same bytes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { mergeShards } from '../../runtime/merge.js';
import { dryRun } from '../../runtime/run/dry-run.js';
import { run } from '../../runtime/run/run-plan.js';
import { synth, synthAsync } from '../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const KEY = 'sk-test-where-1234';

const SIM = `sim road {
  worlds 12
  agents 16
  steps 60
  state speed: f32 = uniform(0.0, 40.0)
  state lane: u32 = randint(0, 3)
  rule drive {
    speed = speed + normal(0.0, 2.0)
    if speed > 35.0 { emit crash { speed: speed, lane: lane }  speed = 10.0 }
  }
  event crash { speed: f32, lane: u32 }
  observe every 10 { speed }
}
`;

const MODEL = `model writer {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  concurrency 16
  retries 2
  price { input: 0.15, output: 0.60 }
}
prompt report(speed: float, lane: int) -> string {
  model writer
  user "Write a crash report: {speed} km/h in lane {lane}."
}
`;

function spec(dataset: string): string {
  return `goal "where" { seed 4 }\n${SIM}${MODEL}${dataset}`;
}

const ALL = `dataset all_crashes {
  for e in road.crash
  row = { speed: e.speed, lane: e.lane, world: e.world, step: e.step, agent: e.agent }
  output "out/all.jsonl"
}
`;

function project(src: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-where-'));
  const file = path.join(dir, 'road.synth');
  writeFileSync(file, src);
  return { dir, file };
}

function planOf(file: string) {
  const res = checkFile(file);
  expect(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return buildPlan(res).plan;
}

describe('for … where and count with for', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ latencyMs: 2, deterministic: true, apiKey: KEY });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ TEST_BASE_URL: server.url, TEST_API_KEY: KEY });
  const chatRequests = (from: number) => server.requests.slice(from).filter((r) => r.path.endsWith('/chat/completions')).length;

  it('sends no request for a dropped event; the server receives what --dry-run counted', async () => {
    const { dir, file } = project(spec(`${ALL}
dataset reports {
  for e in road.crash where e.speed > 37.0 && e.lane != 0
  row = { speed: e.speed, lane: e.lane, text: report(e.speed, e.lane) }
  output "out/reports.jsonl"
}
`));
    const dry = synth(['run', file, '--dry-run', '--format', 'json', '--dataset', 'reports', '--backend', 'cpu'], { env: env() });
    expect(dry.code, dry.stderr).toBe(0);
    const estimate = JSON.parse(dry.stdout) as { datasets: Array<{ name: string; rows: number; calls: number }> };
    const before = server.requests.length;
    const r = await synthAsync(['run', file, '--backend', 'cpu'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const all = await readRows(path.join(dir, 'out', 'all.jsonl'), 'jsonl');
    const passing = all.filter((e) => (e['speed'] as number) > 37.0 && e['lane'] !== 0);
    // the filter matters: some events pass, many do not
    expect(passing.length).toBeGreaterThan(5);
    expect(all.length - passing.length).toBeGreaterThan(passing.length);
    const rows = await readRows(path.join(dir, 'out', 'reports.jsonl'), 'jsonl');
    expect(rows.map((x) => [x['speed'], x['lane']])).toEqual(passing.map((x) => [x['speed'], x['lane']]));
    expect(chatRequests(before)).toBe(passing.length);
    expect(estimate.datasets[0]).toMatchObject({ name: 'reports', rows: passing.length, calls: passing.length });
  });

  it('count N beside a for: the first N rows in canonical order, and no prompt called for a later item', async () => {
    const { dir, file } = project(spec(`${ALL}
dataset first {
  for e in road.crash where e.speed > 36.0
  count 7
  row = { speed: e.speed, world: e.world, step: e.step, agent: e.agent, text: report(e.speed, e.lane) }
  output "out/first.jsonl"
}
`));
    const plan = planOf(file);
    expect(plan.datasets['first']!.rows).toMatchObject({ for: { count: 7 } });
    const estimate = await dryRun(plan, { projectRoot: dir, datasets: ['first'], backend: 'cpu' });
    expect(estimate.datasets[0]).toMatchObject({ rows: 7, total: { calls: 7 } });
    const before = server.requests.length;
    await run(plan, { projectRoot: dir, backend: 'cpu', env: env() });
    expect(chatRequests(before)).toBe(7);
    const all = (await readRows(path.join(dir, 'out', 'all.jsonl'), 'jsonl')).filter((e) => (e['speed'] as number) > 36.0);
    const rows = await readRows(path.join(dir, 'out', 'first.jsonl'), 'jsonl');
    expect(rows.map((x) => [x['world'], x['step'], x['agent']])).toEqual(all.slice(0, 7).map((x) => [x['world'], x['step'], x['agent']]));
  });

  it('count N with checks counts the rows that pass them; with fewer items every item is used', async () => {
    const { dir, file } = project(spec(`${ALL}
dataset checked {
  for e in road.crash
  count 10
  row = { speed: e.speed, lane: e.lane }
  check e.lane == 1
  output "out/checked.jsonl"
}
dataset few {
  for e in road.crash where e.speed > 39.5
  count 100_000
  row = { speed: e.speed }
  output "out/few.jsonl"
}
`));
    await run(planOf(file), { projectRoot: dir, backend: 'cpu', env: env() });
    const all = await readRows(path.join(dir, 'out', 'all.jsonl'), 'jsonl');
    const checked = await readRows(path.join(dir, 'out', 'checked.jsonl'), 'jsonl');
    expect(checked).toEqual(all.filter((e) => e['lane'] === 1).slice(0, 10).map((e) => ({ speed: e['speed'], lane: 1 })));
    const few = await readRows(path.join(dir, 'out', 'few.jsonl'), 'jsonl');
    expect(few.map((x) => x['speed'])).toEqual(all.filter((e) => (e['speed'] as number) > 39.5).map((e) => e['speed']));
  });

  it('sharded by world blocks, a dataset with where and count merges to the bytes of one run', async () => {
    const { dir, file } = project(spec(`dataset first {
  for e in road.crash where e.lane != 2
  count 25
  vary jitter ~ uniform(0.0, 1.0)
  row = { speed: e.speed, world: e.world, j: jitter }
  output "out/first.jsonl"
}
`));
    const plan = planOf(file);
    await run(plan, { projectRoot: dir, backend: 'cpu', outDir: path.join(dir, 'whole') });
    const dirs = [0, 1, 2].map((i) => path.join(dir, `s${i}`));
    for (let i = 0; i < 3; i++) await run(plan, { projectRoot: dir, backend: 'cpu', outDir: dirs[i], shard: { index: i, count: 3 } });
    const [m] = await mergeShards(dirs, path.join(dir, 'merged'));
    const whole = readFileSync(path.join(dir, 'whole', 'first.jsonl'), 'utf8');
    expect(whole.trim().split('\n')).toHaveLength(25);
    expect(readFileSync(m!.output, 'utf8')).toBe(whole);
  });

  it('a where that cannot be evaluated for an item stops before anything is made (SYN5040)', async () => {
    const { dir, file } = project(spec(`dataset bad {
  for e in road.crash where e.speed / (e.lane - e.lane) > 1.0
  row = { speed: e.speed }
  output "out/bad.jsonl"
}
`));
    const r = synth(['run', file, '--backend', 'cpu'], { env: env() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SYN5040.*the `where` of dataset 'bad' cannot be evaluated for item \S+: division by zero/);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    void dir;
  });
});

describe('count with for over documents, sharded by rows', () => {
  it('--shard 0/3 … 2/3 then merge equals one run: the first N chunks that pass where', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-where-docs-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'docs'));
    for (let f = 0; f < 4; f++) writeFileSync(path.join(dir, 'docs', `d${f}.md`), Array.from({ length: 40 }, (_, i) => `Line ${i} of document ${f}: ${'word '.repeat(i % 7)}`).join('\n'));
    writeFileSync(
      path.join(dir, 's.synth'),
      `goal "docs" { seed 1 }
source docs = files("docs/*.md") { chunk 16 }
dataset picks {
  for c in docs where c.index % 2 == 0
  count 11
  vary w ~ uniform(0.0, 1.0)
  row = { path: c.path, index: c.index, w: w }
  output "out/picks.jsonl"
}
`,
    );
    const plan = planOf(path.join(dir, 's.synth'));
    await run(plan, { projectRoot: dir, outDir: path.join(dir, 'whole') });
    const whole = readFileSync(path.join(dir, 'whole', 'picks.jsonl'), 'utf8');
    const rows = whole.trim().split('\n').map((l) => JSON.parse(l) as { index: number });
    expect(rows).toHaveLength(11);
    expect(rows.every((r) => r.index % 2 === 0)).toBe(true);
    const dirs = [0, 1, 2].map((i) => path.join(dir, `s${i}`));
    for (let i = 0; i < 3; i++) await run(plan, { projectRoot: dir, outDir: dirs[i], shard: { index: i, count: 3 } });
    const [m] = await mergeShards(dirs, path.join(dir, 'merged'));
    expect(readFileSync(m!.output, 'utf8')).toBe(whole);
  });
});
