// Issue #11's small inputs, each run through the CLI as a user would: the exit code, the message and the manifest
// say exactly what happened, and a rerun ends with exactly the right rows.
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthAsync } from '../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { journalFiles } from '../support/journal.js';
import { project as writeProject } from '../support/synth.js';

function project(src: string): { dir: string; file: string; out: (name: string) => string; manifest: (name: string) => Record<string, unknown> } {
  const { dir, file } = writeProject(src, { prefix: 'synth-honest-' });
  return {
    dir,
    file,
    out: (name) => path.join(dir, 'out', name),
    manifest: (name) => JSON.parse(readFileSync(path.join(dir, 'out', name.replace(/\.\w+$/, '.manifest.json')), 'utf8')) as Record<string, unknown>,
  };
}

const COUNT10 = `struct R { a: int }
dataset d: R {
  count 10
  vary a ~ randint(1, 1000000)
  row = { a: a }
  output "out/d.jsonl"
}
`;

describe('issue #11 inputs', () => {
  it('1: every row fails on a division by zero → exit 3, the cause with expression and values, manifest incomplete', async () => {
    const p = project(`struct R { x: float }
dataset d: R {
  count 3
  vary v ~ one_of(0.0)
  row = { x: 1.0 / v }
  output "out/d.jsonl"
}
`);
    const r = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/d: 0 of 3 rows → out\/d\.jsonl \(3 failed/);
    expect(r.stderr).toMatch(/3 × division by zero in `1 \/ v` \(v = 0\)/);
    // a division by zero comes back on every rerun: no promise that it is tried again
    expect(r.stderr).toMatch(/error SYN5062: dataset 'd' has 0 of 3 rows: 3 missing \(causes above\), and running the spec again repeats these causes/);
    const m = p.manifest('d.jsonl');
    expect(m['status']).toBe('incomplete');
    expect(m['rows_missing']).toBe(3);
    expect(m['causes']).toEqual([{ cause: 'evaluation', count: 3, example: 'division by zero in `1 / v` (v = 0)', first_row: 0 }]);
    // not 100 rows tried: a failed row is a hole to fill, not replaced by drawing another
    expect((m['merge'] as { processed_through: number }).processed_through).toBe(2);
  });

  it('2: a sim dividing by zero → SYN6006 naming field, world, agent and step; `finite_outputs 0` lets it through and the rows fail instead', async () => {
    const src = (extra: string) => `struct P { world: int  agent: int  step: int  x: float }
sim s {
  worlds 2
  agents 2
  steps 3${extra}
  state d: f32 = 0.0
  state x: f32 = 1.0
  rule go { x = x / d }
  observe every 1 { x }
}
dataset t: P {
  for r in s.trajectory
  row = { world: r.world, agent: r.agent, step: r.step, x: r.x }
  output "out/t.jsonl"
}
`;
    const p = project(src(''));
    const r = await synthAsync(['run', p.file, '--backend', 'cpu'], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error SYN6006: simulation s: observed field x is Infinity in world 0, agent 0 at step 1/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);

    const q = project(src('\n  finite_outputs 0'));
    const r2 = await synthAsync(['run', q.file, '--backend', 'cpu'], { cwd: q.dir });
    expect(r2.code, r2.stderr).toBe(3);
    expect(r2.stderr).toMatch(/12 × \/x is Infinity: NaN and ±Infinity cannot be written/);
    const rows = readFileSync(q.out('t.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { x: number | null; step: number });
    expect(rows).toHaveLength(4);
    expect(rows.every((x) => x.x === 1 && x.step === 0)).toBe(true); // never a null in `x: float`
  });

  it('4: a journal line deleted → the rerun remakes exactly that row: 10 lines, the same bytes, exit 0', async () => {
    const p = project(COUNT10);
    const first = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(first.code, first.stderr).toBe(0);
    const want = readFileSync(p.out('d.jsonl'), 'utf8');
    expect(want.trim().split('\n')).toHaveLength(10);
    const [journal] = journalFiles(p.dir);
    const lines = readFileSync(journal!, 'utf8').split('\n');
    lines.splice(4, 1); // the 5th line
    writeFileSync(journal!, lines.join('\n'));
    const again = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(p.out('d.jsonl'), 'utf8')).toBe(want);
    expect(again.stderr).toMatch(/d: 10 rows → out\/d\.jsonl \(0 failed, 0 filtered, 0 duplicates; 9 reused\)/);
    const m = p.manifest('d.jsonl');
    expect(m['status']).toBe('complete');
    expect((m['file'] as { rows: number }).rows).toBe(10);
    expect((m['reuse'] as { reused: number; made: number }).made).toBe(1);
  });

  it('5: a truncated output → rebuilt from the journal (said so), never accepted or spliced: the same bytes, exit 0', async () => {
    const p = project(COUNT10);
    expect((await synthAsync(['run', p.file], { cwd: p.dir })).code).toBe(0);
    const want = readFileSync(p.out('d.jsonl'), 'utf8');
    truncateSync(p.out('d.jsonl'), 30);
    const again = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/out\/d\.jsonl changed since the last run .*rebuilding it from the journal/);
    expect(readFileSync(p.out('d.jsonl'), 'utf8')).toBe(want);
    // and one overwritten with other bytes of the same length
    writeFileSync(p.out('d.jsonl'), want.replace(/\d/g, '7'));
    const third = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(third.code, third.stderr).toBe(0);
    expect(readFileSync(p.out('d.jsonl'), 'utf8')).toBe(want);
  });

  it('journal lines duplicated, edited or cut short: the rerun drops what fails the integrity check and remakes it', async () => {
    const p = project(COUNT10);
    expect((await synthAsync(['run', p.file], { cwd: p.dir })).code).toBe(0);
    const want = readFileSync(p.out('d.jsonl'), 'utf8');
    const [journal] = journalFiles(p.dir);
    const lines = readFileSync(journal!, 'utf8').split('\n').filter(Boolean);
    // line 3 twice, line 6 with a changed value (its hash no longer matches), and the file cut mid-line
    const edited = [...lines.slice(0, 3), lines[2]!, ...lines.slice(3)];
    edited[6] = edited[6]!.replace(/"a":(\d)/, (_, d: string) => `"a":${(Number(d) + 1) % 10}`);
    const text = edited.join('\n') + '\n';
    writeFileSync(journal!, text.slice(0, text.length - 17));
    const again = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/1 line failed the integrity check and was dropped/);
    expect(readFileSync(p.out('d.jsonl'), 'utf8')).toBe(want);
  });
});

describe('issue #11 inputs with an LLM endpoint', () => {
  let server: FakeOpenAI;
  let answer: (body: { messages?: Array<{ content: string }> }) => { content?: string; status?: number; refusal?: string; finish?: 'length' } | undefined = () => undefined;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, script: (b) => answer(b) });
  });
  afterAll(async () => {
    await server.close();
  });

  const PROMPT = (count: number, extra = '') => `struct Mid { k: string  a: int?  b: int? }
struct Outer { name: string  mid: Mid? }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  retries 2${extra}
}
prompt ask(n: int) -> Outer {
  model m
  user "Describe thing {n}."
}
dataset d: Outer {
  count ${count}
  vary n ~ randint(1, 1000)
  row = ask(n)
  output "out/d.jsonl"
}
`;

  it('3: an answer that leaves out optional fields is complete: they are null', async () => {
    answer = () => ({ content: '{"name":"a","mid":{"k":"v"}}' });
    const p = project(PROMPT(2));
    const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'none' } });
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(p.out('d.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(rows).toEqual([
      { name: 'a', mid: { k: 'v', a: null, b: null } },
      { name: 'a', mid: { k: 'v', a: null, b: null } },
    ]);
    // and an omitted optional struct is null too
    answer = () => ({ content: '{"name":"b"}' });
    const q = project(PROMPT(1));
    const r2 = await synthAsync(['run', q.file], { cwd: q.dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'none' } });
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(readFileSync(q.out('d.jsonl'), 'utf8'))).toEqual({ name: 'b', mid: null });
  });

  it('6: a 401 server → a 5-row run stops after one request, with one line naming the host and the cause, exit 2', async () => {
    answer = () => ({ status: 401, message: 'Incorrect API key provided.' });
    const p = project(PROMPT(5, '\n  concurrency 8'));
    const before = server.requests.length;
    const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'sk-wrong-key-123456' } });
    expect(r.code, r.stderr).toBe(2);
    const host = `127.0.0.1:${server.port}`;
    const named = r.stderr.split('\n').filter((l) => l.includes(host));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(new RegExp(`^error SYN5020: HTTP 401 from ${host.replace(/\./g, '\\.')} \\(authentication failed — check the key in \\$TEST_API_KEY\\).*every call to model 'm' would fail`));
    expect(r.stderr).not.toContain('sk-wrong-key-123456');
    expect(server.requests.length - before).toBe(1);
    const m = p.manifest('d.jsonl');
    expect(m['status']).toBe('incomplete');
    expect((m['error'] as { code: string }).code).toBe('SYN5020');
  });

  it('6: a closed port → a 5-row run stops at once, with one line naming the host and "connection refused", exit 2', async () => {
    const port = await closedPort();
    const p = project(PROMPT(5, '\n  concurrency 8'));
    const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: `http://127.0.0.1:${port}/v1`, TEST_API_KEY: 'none' } });
    expect(r.code, r.stderr).toBe(2);
    const named = r.stderr.split('\n').filter((l) => l.includes(`127.0.0.1:${port}`));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/^error SYN5020: 127\.0\.0\.1:\d+: connection refused — is the server running, and is base_url right\?; every call to model 'm' would fail/);
  });
});

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

