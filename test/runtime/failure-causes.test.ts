// One test per failure cause, through the CLI: the exit code, the line the user reads, and the manifest's cause
// (grouped, with one example). Non-retryable causes stop the dataset after one request; a refusal is asked
// again once; the circuit breaker stops a model that keeps failing; failed calls' tokens are counted.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { run as runPlan } from '../../runtime/run/run-plan.js';
import { budgetGuard, promptRunnerFactory } from '../../runtime/wiring.js';
import { synthAsync } from '../support/cli.js';
import { ALL_FAULTS, startFakeOpenAI, type FakeOpenAI, type ScriptedAnswer } from '../support/fake-openai.js';

type Body = { messages?: Array<{ role: string; content: string }> };

function project(src: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-cause-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  const manifest = () => JSON.parse(readFileSync(path.join(dir, 'out', 'd.manifest.json'), 'utf8')) as {
    status: string;
    rows_missing: number;
    causes: Array<{ cause: string; count: number; example: string }>;
    error: { code: string } | null;
    counts: Record<string, number>;
    tokens: { prompt: number; completion: number };
    cost_usd: number;
  };
  return { dir, file, manifest };
}

const SPEC = (o: { count?: number; model?: string; row?: string; type?: string; url?: string } = {}) => `struct R { name: string  a: int }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  retries 2
  timeout 1s
  price { input: 1.0, output: 2.0 }${o.model ?? ''}
}
prompt ask(n: int) -> R {
  model m
  user "Thing {n}."
}
dataset d${o.type ?? ''} {
  count ${o.count ?? 2}
  vary n ~ randint(1, 1000)
  row = ${o.row ?? 'ask(n)'}
  output "out/d.jsonl"
}
`;

describe('failure causes', () => {
  let server: FakeOpenAI;
  let script: (b: Body) => ScriptedAnswer | undefined = () => undefined;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, script: (b) => script(b as Body) });
  });
  afterAll(async () => {
    await server.close();
  });
  const host = () => `127.0.0.1:${server.port}`;
  const run = async (src: string, env: Record<string, string> = {}) => {
    const p = project(src);
    const before = server.requests.length;
    const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'sk-test-key-0000', ...env } });
    return { ...r, p, requests: server.requests.length - before };
  };
  /** a retry carries feedback (more messages than the first request) */
  const isRetry = (b: Body) => (b.messages?.length ?? 0) > 1;

  it('a refusal: asked again once, then the row fails with the refusal text (exit 3)', async () => {
    script = () => ({ refusal: "I can't help with that." });
    const r = await run(SPEC());
    expect(r.code, r.stderr).toBe(3);
    expect(r.requests).toBe(4); // 2 rows × (the call + one more ask), not 1 + retries
    expect(r.stderr).toMatch(/2 × model 'm' refused: "I can't help with that\."/);
    const m = r.p.manifest();
    expect(m.status).toBe('incomplete');
    expect(m.causes).toEqual([{ cause: 'refusal', count: 2, example: `model 'm' refused: "I can't help with that."`, first_row: 0 }]);
    // the refused calls' tokens are counted, and their cost
    expect(m.tokens.prompt).toBe(40);
    expect(m.cost_usd).toBeGreaterThan(0);
    expect(m.counts['failed_calls']).toBe(2);
  });

  it('hostile text in a cause (terminal escapes, bidi overrides) is shown escaped', async () => {
    script = () => ({ refusal: 'no\u001b[2J\u001b[31mRED\u202eevil\u0007' });
    const r = await run(SPEC({ count: 1 }));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(r.stderr).toContain('model \'m\' refused: "no\\u001b[2J\\u001b[31mRED\\u202eevil\\u0007"');
  });

  it('cut off at max_tokens: says to raise it (exit 3)', async () => {
    script = () => ({ content: '{"name": "ab', finish: 'length' });
    const r = await run(SPEC({ model: '\n  max_tokens 20' }));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/2 × the answer was cut off at max_tokens 20 \(model 'm'\): raise `max_tokens` in the model or the prompt/);
    expect(r.p.manifest().causes[0]!.cause).toBe('max_tokens');
  });

  it('a schema violation: names the field by its JSON pointer (exit 3)', async () => {
    script = () => ({ content: '{"name": "x", "a": "seven"}' });
    const r = await run(SPEC());
    expect(r.code, r.stderr).toBe(3);
    expect(r.requests).toBe(6); // 1 + retries 2, with the errors fed back
    expect(r.stderr).toMatch(/2 × the answer does not match R at \/a: must be integer/);
    expect(r.p.manifest().causes).toMatchObject([{ cause: 'schema', count: 2 }]);
  });

  it('an inexact integer is not accepted: the model is asked again and the row has the exact answer', async () => {
    script = (b) => ({ content: isRetry(b) ? '{"name": "x", "a": 7}' : '{"name": "x", "a": 12345678901234567890}' });
    const r = await run(SPEC({ count: 1 }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.requests).toBe(2);
    expect(JSON.parse(readFileSync(path.join(r.p.dir, 'out', 'd.jsonl'), 'utf8'))).toEqual({ name: 'x', a: 7 });
    expect(server.requests.at(-1)!.body).toMatchObject({ messages: expect.arrayContaining([expect.objectContaining({ content: expect.stringMatching(/\/a: must be an integer between -9007199254740991 and 9007199254740991/) })]) });
  });

  it('HTTP 500 after every retry: the status and the host, never the key (exit 3)', async () => {
    script = () => ({ status: 500, message: 'The server had an error (key sk-test-key-0000 echoed)' });
    const r = await run(SPEC({ count: 1, model: '\n  retries 1' }).replace('  retries 2\n', ''));
    expect(r.code, r.stderr).toBe(3);
    expect(r.requests).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`1 × HTTP 500 from ${host().replace(/\./g, '\\.')}: 500 The server had an error \\(key \\*\\*\\* echoed\\)`));
    expect(r.stderr + readFileSync(path.join(r.p.dir, 'out', 'd.manifest.json'), 'utf8')).not.toContain('sk-test-key-0000');
    expect(r.p.manifest().causes[0]!.cause).toBe('http');
  });

  it('a connection error (answers cut off mid-body) from an endpoint that never answered: retried, then the dataset stops naming the host (exit 2)', async () => {
    const dropping = await startFakeOpenAI({ deterministic: true, faults: { rate: 1, kinds: ['disconnect'] } });
    try {
      const p = project(SPEC({ count: 1 }).replace('retries 2', 'retries 1'));
      const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: dropping.url, TEST_API_KEY: 'none' } });
      expect(r.code, r.stderr).toBe(2);
      expect(dropping.requests).toHaveLength(2);
      expect(r.stderr).toMatch(new RegExp(`error SYN5020: 127\\.0\\.0\\.1:${dropping.port}: (the HTTP answer was cut off or not JSON|connection failed)`));
      expect(p.manifest().causes[0]!.cause).toBe('connection');
    } finally {
      await dropping.close();
    }
  });

  it('no answer within `timeout` from an endpoint that never answered: the dataset stops, saying so with the host (exit 2)', async () => {
    const hanging = await startFakeOpenAI({ deterministic: true, hangMs: 5000, faults: { rate: 1, kinds: ['timeout'] } });
    try {
      const p = project(SPEC({ count: 1 }).replace('retries 2', 'retries 0'));
      const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: hanging.url, TEST_API_KEY: 'none' } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`error SYN5020: no answer from 127\\.0\\.0\\.1:${hanging.port} within 1000 ms`));
      expect(p.manifest().causes[0]!.cause).toBe('timeout');
    } finally {
      await hanging.close();
    }
  });

  it('an evaluation error on a model answer: the expression and its values (exit 3)', async () => {
    script = () => ({ content: '{"name": "x", "a": 0}' });
    const r = await run(SPEC({ count: 1, row: '{ name: "q", a: 10 / ask(n).a }' }));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/1 × division by zero in `10 \/ ask\(n\)\.a` \(n = \d+\)/);
    expect(r.p.manifest().causes[0]!.cause).toBe('evaluation');
    expect(r.requests).toBe(3); // a row failing on an answer is made again twice with new calls, no more
  });

  it('a value that cannot be written (not finite): the field, never null (exit 3)', async () => {
    const p = project(`struct R { x: float }
dataset d: R { count 2  vary v ~ uniform(1.0, 2.0)  row = { x: v * 1e308 * 10.0 }  output "out/d.jsonl" }
`);
    const r = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/2 × \/x is Infinity: NaN and ±Infinity cannot be written/);
    expect(readFileSync(path.join(p.dir, 'out', 'd.jsonl'), 'utf8')).toBe('');
    expect(p.manifest().causes[0]!.cause).toBe('value');
  });

  it('an int beyond ±2^53 made by an expression fails the row instead of being rounded (exit 3)', async () => {
    const p = project(`struct R { a: int }
dataset d: R { count 2  vary v ~ randint(1000, 2000)  row = { a: v * 100000000000000 }  output "out/d.jsonl" }
`);
    const r = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/2 × \/a is \d+: an int must be an exact integer/);
  });

  it('an output that cannot be written (a folder or a file in the way) is SYN5023 naming it, exit 2', async () => {
    const src = `struct R { a: int }\ndataset d: R { count 2  vary a ~ randint(1, 9)  row = { a: a }  output "out/d.jsonl" }\n`;
    const p = project(src);
    mkdirSync(path.join(p.dir, 'out', 'd.jsonl'), { recursive: true });
    const r = await synthAsync(['run', p.file], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error SYN5023: cannot write out\/d\.jsonl: it is a folder \(EISDIR\)/);
    const q = project(src);
    writeFileSync(path.join(q.dir, 'out'), 'x');
    const r2 = await synthAsync(['run', q.file], { cwd: q.dir });
    expect(r2.code, r2.stderr).toBe(2);
    expect(r2.stderr).toMatch(/error SYN5023: cannot write out: a file is in the way of a folder there \(EEXIST\)/);
    expect(r.stderr + r2.stderr).not.toMatch(/internal error/);
  });

  for (const [status, message, hint] of [
    [404, 'The model `gpt-test` does not exist or you do not have access to it.', 'not found — check base_url and the model name'],
    [400, "Invalid value for 'temperature': must be at most 2.", 'request refused'],
    [403, 'Project does not have access to this model.', 'authentication failed'],
  ] as const) {
    it(`HTTP ${status}: the dataset stops after one request, one line (exit 2)`, async () => {
      script = () => ({ status, message });
      const r = await run(SPEC({ count: 5, model: '\n  concurrency 4' }));
      expect(r.code, r.stderr).toBe(2);
      expect(r.requests).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.includes(host()));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`error SYN5020: HTTP ${status} from ${host()} (${hint}`);
      expect(r.p.manifest().error!.code).toBe('SYN5020');
    });
  }

  it('a 400 about one row (context length) fails that row only, not the dataset (exit 3)', async () => {
    script = (b) => (b.messages?.[0]?.content.includes('Thing') && /Thing \d*7\./.test(b.messages[0].content) ? { status: 400, message: "This model's maximum context length is 8192 tokens (context_length_exceeded)" } : undefined);
    const r = await run(SPEC({ count: 30 }));
    expect([0, 3]).toContain(r.code);
    const m = r.p.manifest();
    expect(m.error).toBeNull();
    if (r.code === 3) expect(m.causes[0]!.example).toMatch(/HTTP 400 .*maximum context length/);
  });

  it('an unknown host (DNS): stops at once (exit 2)', async () => {
    const p = project(SPEC({ count: 5 }));
    const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: 'http://synth-no-such-host.invalid/v1', TEST_API_KEY: 'none' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error SYN5020: synth-no-such-host\.invalid: (unknown host \(DNS lookup failed\)|the host name could not be resolved)/);
  });

  it('the circuit breaker: `max_consecutive_failures` requests in a row fail → the dataset stops (exit 2), not hundreds of requests', async () => {
    script = () => ({ content: 'Sorry, no JSON today.' });
    const r = await run(SPEC({ count: 50, model: '\n  max_consecutive_failures 3\n  concurrency 1' }));
    expect(r.code, r.stderr).toBe(2);
    expect(r.requests).toBe(3); // the requests already queued are not sent
    expect(r.stderr).toMatch(/error SYN5021: model 'm': 3 requests in a row failed \(the last: model 'm' answered with text that is not JSON: "Sorry, no JSON today\."\)/);
    const m = r.p.manifest();
    expect(m.status).toBe('incomplete');
    expect(m.rows_missing).toBe(50);
    // rows in flight when it tripped fail with its cause; none sent a request of its own
    expect(m.causes).toMatchObject([{ cause: 'malformed', count: 50 }]);
  });

  it('failed calls count against --budget: the run stops when they have spent it', async () => {
    script = () => ({ content: 'not json at all, and long enough to cost something' });
    // max_tokens bounds each request's worst case, which is held before it is sent (BudgetGuard)
    const p = project(SPEC({ count: 40, model: '\n  concurrency 1\n  max_tokens 20\n  max_consecutive_failures 200' }));
    const { plan } = buildPlan(checkFile(p.file));
    const budget = budgetGuard(0.001);
    const wiring = promptRunnerFactory(plan, p.dir, budget, { env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'none' }, backoffBaseMs: 1 });
    const s = await runPlan(plan, { projectRoot: p.dir, prompts: wiring, shouldStop: () => budget.exceeded() });
    await wiring.close();
    expect(budget.spentMicroUsd).toBeGreaterThan(100);
    expect(s.error?.code).toBe('SYN5027'); // spent mid-run (SYN5003 is the estimate's refusal before anything is sent)
    expect(s.error?.message).toMatch(/budget of \$0\.0010 reached: \$0\.000\d+ spent(, \$[\d.]+ held by requests in flight)?(, and the next request could cost up to \$[\d.]+ more)?; nothing more was sent/);
    expect(budget.spentMicroUsd).toBeLessThanOrEqual(1000);
    const r = s.results[0]!;
    expect(r.status).toBe('incomplete');
    expect(Math.abs(r.stats['cost_micro_usd']! - budget.spentMicroUsd)).toBeLessThan(r.counts.failed + 1); // rounded per call
    // the model sends one request at a time: none after the budget could not hold the next one's worst case
    expect(r.stats['attempts']).toBeLessThan(60);
  });
});

describe('faults that heal are not failures', () => {
  it('every kind of transient fault at 30 %: all rows made, exit 0', async () => {
    const flaky = await startFakeOpenAI({ deterministic: true, retryAfterMs: 5, hangMs: 2000, faults: { rate: 0.3, kinds: ALL_FAULTS.filter((k) => k !== 'timeout') } });
    try {
      const p = project(SPEC({ count: 40 }).replace('retries 2', 'retries 8'));
      const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: flaky.url, TEST_API_KEY: 'none' } });
      expect(r.code, r.stderr).toBe(0);
      expect(await readRows(path.join(p.dir, 'out', 'd.jsonl'), 'jsonl')).toHaveLength(40);
    } finally {
      await flaky.close();
    }
  });
});
