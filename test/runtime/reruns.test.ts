// Reruns do what a user expects: failed rows are tried again; a row is reused only if everything that made it is
// unchanged (its dataset's recipe, the prompts it called, its input), so editing a template or a sim rule
// remakes exactly the rows it affects; unchanged LLM calls still come from the cache; the summary says how many
// rows were reused and remade, and why.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthAsync } from '../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI, type ScriptedAnswer } from '../support/fake-openai.js';
import { project as writeProject } from '../support/synth.js';

const SPEC = (o: { t1?: string; t2?: string; keep?: string } = {}) => `goal "reruns" { seed 4 }
struct Q { text: string }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  retries 0
}
prompt p1(n: int) -> Q {
  model m
  user "${o.t1 ?? 'First kind, number {n}.'}"
}
prompt p2(n: int) -> Q {
  model m
  user "${o.t2 ?? 'Second kind, number {n}.'}"
}
dataset d1 {
  count 6
  vary n ~ randint(1, 1_000_000)
  row = p1(n)
  keep n${o.keep ?? ''}
  output "out/d1.jsonl"
}
dataset d2 {
  count 6
  vary n ~ randint(1, 1_000_000)
  row = p2(n)
  keep n
  output "out/d2.jsonl"
}
`;

describe('reruns', () => {
  let server: FakeOpenAI;
  let script: (text: string) => ScriptedAnswer | undefined = () => undefined;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, script: (b) => script(b.messages?.map((m) => m.content).join('\n') ?? '') });
  });
  afterAll(async () => {
    await server.close();
  });
  const run = async (dir: string, file: string) => {
    const before = server.requests.length;
    const r = await synthAsync(['run', file], { cwd: dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'none' } });
    return { ...r, sent: server.requests.slice(before).map((q) => JSON.stringify(q.body)) };
  };
  const project = (src: string) => {
    const { dir, file } = writeProject(src, { prefix: 'synth-rerun-' });
    return { dir, file, read: (n: string) => readFileSync(path.join(dir, 'out', n), 'utf8') };
  };

  it('failed rows are tried again, and only they: the result is what a run without failures writes', async () => {
    script = () => undefined;
    const ref = project(SPEC());
    expect((await run(ref.dir, ref.file)).code).toBe(0);

    const p = project(SPEC());
    // the first run: calls whose number ends in 1, 3, 5, 7 or 9 get a 500 (no retries)
    script = (text) => (/number \d*[13579]\./.test(text) ? { status: 500, message: 'try later' } : undefined);
    const first = await run(p.dir, p.file);
    expect(first.code, first.stderr).toBe(3);
    const failed = (first.stderr.match(/\((\d+) failed/g) ?? []).map((m) => Number(/\d+/.exec(m)![0])).reduce((a, b) => a + b, 0);
    expect(failed).toBeGreaterThan(0);
    expect(first.stderr).toMatch(/error SYN5022: dataset 'd1' has \d of 6 rows/);
    // the second: the endpoint is well again
    script = () => undefined;
    const second = await run(p.dir, p.file);
    expect(second.code, second.stderr).toBe(0);
    expect(second.sent).toHaveLength(failed); // the rows that had failed, nothing else
    expect(second.stderr).toMatch(/remade: it failed in an earlier run/);
    expect(p.read('d1.jsonl')).toBe(ref.read('d1.jsonl'));
    expect(p.read('d2.jsonl')).toBe(ref.read('d2.jsonl'));
  });

  it("editing a template remakes exactly the rows that called it; the other dataset's come from the journal", async () => {
    script = () => undefined;
    const p = project(SPEC());
    expect((await run(p.dir, p.file)).code).toBe(0);
    const d1Before = p.read('d1.jsonl');
    const d2Before = p.read('d2.jsonl');
    writeFileSync(p.file, SPEC({ t1: 'Another first kind, number {n}.' }));
    const r = await run(p.dir, p.file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.sent).toHaveLength(6);
    expect(r.sent.every((b) => b.includes('Another first kind'))).toBe(true);
    expect(r.stderr).toMatch(/d1: 6 rows → out\/d1\.jsonl \(0 failed, 0 filtered, 0 duplicates; 6 remade: prompt 'p1' changed\)/);
    expect(r.stderr).toMatch(/d2: 6 rows → out\/d2\.jsonl \(0 failed, 0 filtered, 0 duplicates; 6 reused\)/);
    expect(p.read('d1.jsonl')).not.toBe(d1Before);
    expect(p.read('d2.jsonl')).toBe(d2Before);
    const m = JSON.parse(readFileSync(path.join(p.dir, 'out', 'd1.manifest.json'), 'utf8')) as { reuse: unknown };
    expect(m.reuse).toEqual({ reused: 0, remade: 6, made: 0, remade_because: { "prompt 'p1' changed": 6 } });

    // back to the first template: the rows are remade, every call from the cache (nothing sent), the same bytes
    writeFileSync(p.file, SPEC());
    const back = await run(p.dir, p.file);
    expect(back.code, back.stderr).toBe(0);
    expect(back.sent).toEqual([]);
    expect(p.read('d1.jsonl')).toBe(d1Before);
  });

  it("a change to the dataset's recipe remakes its rows from the cache; raising `count` reuses the rows made", async () => {
    script = () => undefined;
    const p = project(SPEC());
    expect((await run(p.dir, p.file)).code).toBe(0);
    writeFileSync(p.file, SPEC({ keep: ', n' }).replace('keep n, n', 'keep n\n  check len(row.text) >= 0'));
    const r = await run(p.dir, p.file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.sent).toEqual([]);
    expect(r.stderr).toMatch(/d1: 6 rows .*6 remade: the dataset's definition changed/);
    const q = project(SPEC());
    expect((await run(q.dir, q.file)).code).toBe(0);
    writeFileSync(q.file, SPEC().replace('count 6\n  vary n ~ randint(1, 1_000_000)\n  row = p1(n)', 'count 9\n  vary n ~ randint(1, 1_000_000)\n  row = p1(n)'));
    const more = await run(q.dir, q.file);
    expect(more.code, more.stderr).toBe(0);
    expect(more.sent).toHaveLength(3);
    expect(more.stderr).toMatch(/d1: 9 rows → out\/d1\.jsonl \(0 failed, 0 filtered, 0 duplicates; 6 reused\)/);
  });
});

describe('reruns over a simulation', () => {
  const SIM = (step: string) => `struct P { world: int  agent: int  step: int  x: float }
sim s {
  worlds 2
  agents 3
  steps 2
  state x: f32 = 1.0
  rule go { x = x + ${step} }
  observe every 1 { x }
}
dataset t: P {
  for r in s.trajectory
  row = { world: r.world, agent: r.agent, step: r.step, x: r.x }
  output "out/t.jsonl"
}
`;
  it('editing a rule remakes exactly the rows whose input changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-rerun-sim-'));
    const file = path.join(dir, 's.synth');
    writeFileSync(file, SIM('1.0'));
    expect((await synthAsync(['run', file, '--backend', 'cpu'], { cwd: dir })).code).toBe(0);
    writeFileSync(file, SIM('2.0'));
    const r = await synthAsync(['run', file, '--backend', 'cpu'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    // step 0 (the initial state, 6 rows) is unchanged; steps 1 and 2 (12 rows) changed
    expect(r.stderr).toMatch(/t: 18 rows → out\/t\.jsonl \(0 failed, 0 filtered, 0 duplicates; 6 reused, 12 remade: its input changed\)/);
    const rows = readFileSync(path.join(dir, 'out', 't.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; x: number });
    expect(rows.filter((x) => x.step === 2).every((x) => x.x === 5)).toBe(true);
  });
});
