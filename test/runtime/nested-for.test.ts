// Several `for` clauses, nested like a comprehension: one LLM call per item answers with a list, and each element
// becomes a row (with calls of its own). Against the test server (test/support/fake-openai.ts), through the real
// client: the TuNA example end to end; kill -9 at 5 points chosen by requests, then a rerun — the rows of one
// uninterrupted run, none lost or repeated, no finished call asked again; failed parts fail their item and the
// rerun fills it; `count` with a nested `for` cuts at its rows; `where` and `each` on a nested `for`; shards of a
// nested dataset merge to one run's bytes; the dry-run estimate counts nested rows where it can.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { mergeShards } from '../../runtime/merge.js';
import { dryRun } from '../../runtime/run/dry-run.js';
import { run } from '../../runtime/run/run-plan.js';
import { synthAsync } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { mulberry32 } from '../support/prng.js';

const KEY = 'sk-test-nested-4e1d';

// 40 topics from a seed table; each call answers 2 to 5 questions; each question is answered by its own call.
const TOPICS = Array.from({ length: 40 }, (_, i) => ({ topic: `topic ${i}: ${['routers', 'billing', 'passwords', 'shipping', 'refunds'][i % 5]}` }));
const SPEC = (extra = '') => `goal "nested" { seed 3 }
struct Topic { topic: string }
struct Q { text: string  @len(3..200) }
struct Qs { questions: Q[]  @items(2..5) }
struct Row { topic: string  question: string  answer: string }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  concurrency 8
  retries 0
  timeout 2s
  price { input: 0.15, output: 0.60 }
}
prompt ask(topic: string) -> Qs {
  model m
  user "Questions about {topic}"
}
prompt answer(topic: string, q: string) -> string {
  model m
  user "Answer about {topic}: {q}"
}
source topics: Topic = table("topics.jsonl")
dataset rows: Row {
  for t in topics
  for q in ask(t.topic).questions
  let a = answer(t.topic, q.text)
  row = { topic: t.topic, question: q.text, answer: a }
  output "out/rows.jsonl"
}
${extra}`;

function project(src: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-nested-'));
  writeFileSync(path.join(dir, 'topics.jsonl'), TOPICS.map((t) => JSON.stringify(t)).join('\n') + '\n');
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  return { dir, file };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const promptOf = (r: { body: unknown }) => JSON.stringify((r.body as { messages?: unknown }).messages ?? '');

describe('nested `for`: one call, many rows', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ latencyMs: 3, latencyJitterMs: 6, deterministic: true, apiKey: KEY });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ TEST_BASE_URL: server.url, TEST_API_KEY: KEY, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY });

  it('the TuNA example: one call per chunk, a row per pair, a judge call per pair', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-tuna-'));
    cpSync(path.join(ROOT, 'examples', 'tuna'), dir, { recursive: true, filter: (src) => !/[\\/](out|\.synth)$/.test(src) });
    const first = server.requests.length;
    const r = await synthAsync(['run', path.join(dir, 'tuna.synth')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const reqs = server.requests.slice(first).filter((q) => q.path.startsWith('/v1/chat'));
    const pairsCalls = reqs.filter((q) => promptOf(q).includes('Write three to five'));
    const gradeCalls = reqs.filter((q) => promptOf(q).includes('You grade whether'));
    const plan = buildPlan(checkFile(path.join(dir, 'tuna.synth'))).plan;
    const est = await dryRun(plan, { projectRoot: dir });
    const chunks = est.datasets[0]!.rows! / 4; // the estimate: 4 rows per chunk on average (@items(3..5))
    expect(pairsCalls).toHaveLength(chunks);
    expect(gradeCalls.length).toBeGreaterThanOrEqual(3 * chunks);
    expect(gradeCalls.length).toBeLessThanOrEqual(5 * chunks);
    const rows = lines(path.join(dir, 'out', 'qa.jsonl')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const m = JSON.parse(readFileSync(path.join(dir, 'out', 'qa.manifest.json'), 'utf8'));
    // every pair is a row, dropped by its judge, or a duplicate question
    expect(rows.length + m.counts.filtered + m.counts.duplicates).toBe(gradeCalls.length);
    for (const row of rows) {
      expect(row['source']).toMatch(/^notes\/\w+\.md$/);
      expect(row['grounded']).toBeGreaterThanOrEqual(3);
    }
    expect(m.status).toBe('complete');
  });

  it('kill -9 at 5 points, then rerun: one run\u2019s rows, none lost or repeated, no finished call asked again', async () => {
    const ref = project(SPEC());
    const before = server.requests.length;
    const r0 = await synthAsync(['run', ref.file], { env: env() });
    expect(r0.code, r0.stderr).toBe(0);
    const want = readFileSync(path.join(ref.dir, 'out', 'rows.jsonl'), 'utf8');
    const refCalls = server.requests.slice(before).filter((q) => q.path.startsWith('/v1/chat')).length;
    expect(lines(path.join(ref.dir, 'out', 'rows.jsonl')).length).toBeGreaterThan(80);

    const { dir, file } = project(SPEC());
    const start = server.requests.length;
    const rand = mulberry32(0x9e57);
    let kills = 0;
    try {
      for (let k = 0; k < 5; k++) {
        const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'run', file, '--concurrency', '2'], { env: { ...process.env, ...env(), NO_COLOR: '1' }, stdio: 'ignore' });
        // kill points by progress: as the server receives the run's k-th chat request
        const killAt = 8 + Math.floor(rand() * 30);
        let seen = 0;
        server.onRequest = (q) => {
          if (q.path.startsWith('/v1/chat') && ++seen === killAt) child.kill('SIGKILL');
        };
        const signal = await new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_c, sig) => res(sig)));
        server.onRequest = undefined;
        if (signal === 'SIGKILL') kills++;
      }
    } finally {
      server.onRequest = undefined;
    }
    expect(kills).toBe(5);
    const fin = await synthAsync(['run', file], { env: env() });
    expect(fin.code, fin.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'out', 'rows.jsonl'), 'utf8')).toBe(want);
    // every request of the killed runs and the rerun is one the uninterrupted run made; only calls in flight at a
    // kill (at most the window of rows in flight) may have been sent twice
    const all = server.requests.slice(start).filter((q) => q.path.startsWith('/v1/chat'));
    const refBodies = new Set(server.requests.slice(before, start).filter((q) => q.path.startsWith('/v1/chat')).map(promptOf));
    for (const q of all) expect(refBodies.has(promptOf(q))).toBe(true);
    expect(all.length - refCalls).toBeLessThanOrEqual(5 * 16);
    // (whether the rerun takes rows from the journal or remakes them from the LLM cache depends on whether a killed
    // run lived past the journal's 250 ms batch: both give these bytes without asking a finished call again)
    expect(fin.stderr).toMatch(/130 rows/);
  });

  it('a failed part fails its item (rows missing, exit 3); the rerun makes only what is missing', async () => {
    const faulty = await startFakeOpenAI({ deterministic: true, apiKey: KEY, faults: { rate: 0.15, kinds: ['500'] } });
    try {
      const { dir, file } = project(SPEC());
      const e = { TEST_BASE_URL: faulty.url, TEST_API_KEY: KEY };
      const r1 = await synthAsync(['run', file], { env: e });
      expect(r1.code, r1.stderr).toBe(3);
      expect(r1.stderr).toMatch(/SYN5060: dataset 'rows' has \d+ rows, but \d+ of the 40 items it iterates made none yet/);
      const m1 = JSON.parse(readFileSync(path.join(dir, 'out', 'rows.manifest.json'), 'utf8'));
      expect(m1.status).toBe('incomplete');
      expect(m1.target_unit).toBe('items');
      // the same spec against a healthy server finishes, with the rows of a clean run
      const ref = project(SPEC());
      const r0 = await synthAsync(['run', ref.file], { env: env() });
      expect(r0.code, r0.stderr).toBe(0);
      const r2 = await synthAsync(['run', file], { env: env() });
      expect(r2.code, r2.stderr).toBe(0);
      expect(readFileSync(path.join(dir, 'out', 'rows.jsonl'), 'utf8')).toBe(readFileSync(path.join(ref.dir, 'out', 'rows.jsonl'), 'utf8'));
      expect(r2.stderr).toMatch(/remade: it failed in an earlier run/);
    } finally {
      await faulty.close();
    }
  });

  it('count N with a nested for writes exactly N rows; where and each on a nested for', async () => {
    const { dir, file } = project(
      SPEC(`struct Tagged { tag: string  copy: int }
dataset counted: Row {
  count 17
  vary n ~ randint(1, 1000000)
  for q in ask("topic " + str(n)).questions
  row = { topic: str(n), question: q.text, answer: "" }
  output "out/counted.jsonl"
}
dataset tagged: Tagged {
  for t in topics
  for w in ["alpha", "be", "gamma", "delta"] each randint(1, 3) where len(w) > 2
  vary copy ~ randint(1, 9)
  row = { tag: w, copy: copy }
  output "out/tagged.jsonl"
}`),
    );
    const res = checkFile(file);
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const plan = buildPlan(res).plan;
    const s = await run(plan, { projectRoot: dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: KEY }, datasets: ['counted', 'tagged'] });
    expect(s.incomplete).toEqual([]);
    expect(lines(path.join(dir, 'out', 'counted.jsonl'))).toHaveLength(17);
    const tagged = lines(path.join(dir, 'out', 'tagged.jsonl')).map((l) => JSON.parse(l) as { tag: string });
    expect(new Set(tagged.map((t) => t.tag))).toEqual(new Set(['alpha', 'gamma', 'delta']));
    // 40 topics × 3 words × 1..3 copies
    expect(tagged.length).toBeGreaterThanOrEqual(120);
    expect(tagged.length).toBeLessThanOrEqual(360);
    expect(tagged.length).not.toBe(120);
  });

  it('shards of a nested dataset merge to one run\u2019s bytes', async () => {
    const { dir, file } = project(SPEC());
    const plan = buildPlan(checkFile(file)).plan;
    const e = { TEST_BASE_URL: server.url, TEST_API_KEY: KEY };
    await run(plan, { projectRoot: dir, env: e, outDir: path.join(dir, 'whole') });
    const dirs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = path.join(dir, `s${i}`);
      mkdirSync(d, { recursive: true });
      dirs.push(d);
      await run(plan, { projectRoot: dir, env: e, outDir: d, shard: { index: i, count: 3 } });
    }
    const [m] = await mergeShards(dirs, path.join(dir, 'merged'));
    expect(readFileSync(m!.output, 'utf8')).toBe(readFileSync(path.join(dir, 'whole', 'rows.jsonl'), 'utf8'));
  });

  it('the dry-run estimate counts nested rows from @items, and says when it cannot', async () => {
    const { dir, file } = project(
      SPEC(`struct Free { questions: Q[] }
prompt loose(topic: string) -> Free {
  model m
  user "Questions about {topic}"
}
dataset unbounded: Row {
  for t in topics
  for q in loose(t.topic).questions
  let a = answer(t.topic, q.text)
  row = { topic: t.topic, question: q.text, answer: a }
  output "out/unbounded.jsonl"
}`),
    );
    const plan = buildPlan(checkFile(file)).plan;
    const est = await dryRun(plan, { projectRoot: dir });
    const rows = est.datasets.find((d) => d.dataset === 'rows')!;
    // 40 topics × 3.5 questions (@items(2..5)); 40 ask calls + 140 answer calls
    expect(rows.rows).toBe(140);
    expect(rows.total!.calls).toBe(180);
    expect(rows.rowsNote).toMatch(/`for q` makes 3.5 rows per row index on average \(list length 2..5\)/);
    const unbounded = est.datasets.find((d) => d.dataset === 'unbounded')!;
    expect(unbounded.rows).toBeNull();
    expect(unbounded.total!.calls).toBe(40); // the calls before the fan-out: a lower bound
    expect(unbounded.lowerBound).toBe(true);
    expect(unbounded.rowsNote).toMatch(/rows unknown: `for q` ranges over a list whose length is known only when the row is made/);
    const cli = await synthAsync(['run', file, '--dry-run'], { env: { TEST_BASE_URL: server.url, TEST_API_KEY: KEY } });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/unbounded\s+\?\s+40 .*≥ \$/);
    expect(cli.stdout).toMatch(/unbounded: rows unknown/);
  });
});
