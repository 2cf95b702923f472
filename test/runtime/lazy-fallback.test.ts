// Calls only where the row goes, and calls that survive a model going down, against the test server:
//  - lazy `if_else` and `match`: only the branch taken calls its prompt, row by row, and the dry run counts
//    exactly those calls; a branch that depends on a model's answer makes the dry run an upper bound, and says so;
//  - `fallback`: a model that answers 401 (unusable at once) or 503 (retries spent) hands each call to its
//    fallback model, which then receives every call; the rows are complete and the manifest counts calls per
//    model and names the cause.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { dryRun } from '../../runtime/run/dry-run.js';
import { run } from '../../runtime/run/run-plan.js';
import { startFakeOpenAI, type FakeOpenAI, type ScriptedAnswer } from '../support/fake-openai.js';

function project(src: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-lazy-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  return { dir, file };
}

function planOf(file: string) {
  const res = checkFile(file);
  expect(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return buildPlan(res).plan;
}

const jsonl = (file: string): Array<Record<string, any>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const MODEL = (name: string, extra = '') => `model ${name} { name "${name}-model" base_url env("TEST_BASE_URL") api_key env("TEST_API_KEY") retries 2 timeout 5s ${extra} }`;

/** The user messages of the chat requests the server received since `from`, with the model each went to. */
function sent(server: FakeOpenAI, from: number): Array<{ model: string; user: string }> {
  return server.requests
    .slice(from)
    .filter((r) => r.path === '/v1/chat/completions')
    .map((r) => {
      const b = r.body as { model: string; messages: Array<{ role: string; content: string }> };
      return { model: b.model, user: b.messages.find((m) => m.role === 'user')?.content ?? '' };
    });
}

describe('lazy branches and fallback models, against the test server', () => {
  let server: FakeOpenAI;
  let script: ((body: { model?: string }) => ScriptedAnswer | undefined) | undefined;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, script: (b) => script?.(b) });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ TEST_BASE_URL: server.url, TEST_API_KEY: 'k' });

  it('if_else and match call only the branch taken, and the dry run counts exactly those calls', async () => {
    const { dir, file } = project(`goal "lazy" { seed 21 }
${MODEL('m')}
prompt yes(n: int) -> string { model m user "yes {n}" }
prompt no(n: int) -> string { model m user "no {n}" }
dataset d {
  count 40
  vary n ~ randint(1, 1_000_000_000)
  vary flag ~ bernoulli(0.3)
  let a = if_else(flag, yes(n), no(n))
  let b = match n % 3 { 0: yes(n), 1: no(n), default: "none" }
  let c = flag && len(no(n)) > 0
  row = { a: a, b: b, c: c }
  keep n, flag
  output "out/d.jsonl"
}
`);
    const plan = planOf(file);
    const est = await dryRun(plan, { projectRoot: dir });
    expect(est.upperBound).toEqual([]);
    const from = server.requests.length;
    const s = await run(plan, { projectRoot: dir, env: env(), backoffBaseMs: 1 });
    expect(s.results[0]!.status).toBe('complete');
    const calls = sent(server, from);
    expect(calls).toHaveLength(est.total.calls);
    const rows = jsonl(path.join(dir, 'out', 'd.jsonl'));
    expect(rows).toHaveLength(40);
    expect(rows.some((r) => r['flag'])).toBe(true);
    expect(rows.some((r) => !r['flag'])).toBe(true);
    for (const r of rows) {
      const n = r['n'] as number;
      const yes = calls.filter((c) => c.user === `yes ${n}`).length;
      const no = calls.filter((c) => c.user === `no ${n}`).length;
      // if_else: one of the two; match: yes for 0, no for 1, nothing otherwise; &&: no(n) only when flag
      expect(yes, `row n=${n}`).toBe((r['flag'] ? 1 : 0) + (n % 3 === 0 ? 1 : 0));
      expect(no, `row n=${n}`).toBe((r['flag'] ? 0 : 1) + (n % 3 === 1 ? 1 : 0) + (r['flag'] ? 1 : 0));
      expect(r['b']).toBe(n % 3 === 2 ? 'none' : r['b']);
    }
  });

  it("a branch on a model's answer: every branch is counted, the dry run says it is an upper bound", async () => {
    const { dir, file } = project(`goal "bound" { seed 4 }
${MODEL('m')}
struct Grade { good: bool }
prompt grade(n: int) -> Grade { model m user "grade {n}" }
prompt more(n: int) -> string { model m user "more {n}" }
dataset d {
  count 30
  vary n ~ randint(1, 1_000_000_000)
  let g = grade(n)
  let extra = if_else(g.good, more(n), "")
  row = { extra: extra, good: g.good }
  output "out/d.jsonl"
}
`);
    const plan = planOf(file);
    const est = await dryRun(plan, { projectRoot: dir });
    expect(est.upperBound).toEqual(['d']);
    expect(est.datasets[0]!.upperBound).toBe(true);
    expect(est.total.calls).toBe(60);
    const from = server.requests.length;
    await run(plan, { projectRoot: dir, env: env(), backoffBaseMs: 1 });
    const rows = jsonl(path.join(dir, 'out', 'd.jsonl'));
    const good = rows.filter((r) => r['good']).length;
    expect(good).toBeGreaterThan(0);
    expect(good).toBeLessThan(30);
    expect(sent(server, from)).toHaveLength(30 + good);
    expect(30 + good).toBeLessThanOrEqual(est.total.calls);
  });

  it('a plan edited by hand whose call has no model, or names a model it lacks, stops with SYN5006 before any request', async () => {
    const { dir, file } = project(`goal "edited" { seed 5 }
${MODEL('m')}
prompt ask(n: int) -> string { model m user "ask {n}" }
dataset d {
  count 3
  vary n ~ randint(1, 100)
  row = { a: ask(n) }
  output "out/d.jsonl"
}
`);
    for (const [model, message] of [
      [undefined, "the plan has no model for prompt 'ask'"],
      ['ghost', "the plan has no model 'ghost'"],
    ] as const) {
      const plan = planOf(file);
      const p = plan.prompts['ask'] as { model?: string };
      if (model === undefined) delete p.model;
      else p.model = model;
      const from = server.requests.length;
      const stopped = await run(plan, { projectRoot: dir, env: env(), backoffBaseMs: 1 }).then(
        (s) => s.error,
        (e: unknown) => e,
      );
      expect(stopped).toMatchObject({ code: 'SYN5006', message });
      expect(sent(server, from)).toEqual([]);
    }
  });

  const FALLBACK = (fastExtra: string) => `goal "fallback" { seed 3 }
${MODEL('fast', `fallback steady ${fastExtra}`)}
${MODEL('steady')}
prompt say(n: int) -> string { model fast user "say {n}" }
dataset d {
  count 12
  vary n ~ randint(1, 1_000_000_000)
  row = { text: say(n), n: n }
  output "out/d.jsonl"
}
`;

  it('a model that answers 401 is given up at once: its fallback receives every call, the dataset completes', async () => {
    const { dir, file } = project(FALLBACK(''));
    script = (b) => (b.model === 'fast-model' ? { status: 401, message: 'Incorrect API key provided.' } : undefined);
    const from = server.requests.length;
    try {
      const s = await run(planOf(file), { projectRoot: dir, env: env(), backoffBaseMs: 1 });
      expect(s.error).toBeUndefined();
      expect(s.results[0]!.status).toBe('complete');
    } finally {
      script = undefined;
    }
    const calls = sent(server, from);
    // probe first: one request found the endpoint unusable; every call then went to `steady`
    expect(calls.filter((c) => c.model === 'fast-model')).toHaveLength(1);
    expect(calls.filter((c) => c.model === 'steady-model')).toHaveLength(12);
    expect(jsonl(path.join(dir, 'out', 'd.jsonl'))).toHaveLength(12);
    const m = JSON.parse(readFileSync(path.join(dir, 'out', 'd.manifest.json'), 'utf8'));
    const byName = Object.fromEntries(m.models.map((x: { name: string }) => [x.name, x]));
    expect(byName.steady).toMatchObject({ calls: 12, failed_calls: 0, fell_back: 0 });
    // one call found the endpoint unusable; the other 11 were never sent to it (honest counts: not_sent_calls)
    expect(byName.fast).toMatchObject({ calls: 1, failed_calls: 1, not_sent_calls: 11, fell_back: 12 });
    expect(m.fallbacks).toEqual([{ from: 'fast', to: 'steady', calls: 12, cause: 'http', example: expect.stringMatching(/401/) }]);
  });

  it('a model that answers 503 on every retry hands each call to its fallback after its retries', async () => {
    const { dir, file } = project(FALLBACK('max_consecutive_failures 1000'));
    script = (b) => (b.model === 'fast-model' ? { status: 503, message: 'The engine is currently overloaded.' } : undefined);
    const from = server.requests.length;
    try {
      const s = await run(planOf(file), { projectRoot: dir, env: env(), backoffBaseMs: 1 });
      expect(s.results[0]!.status).toBe('complete');
    } finally {
      script = undefined;
    }
    const calls = sent(server, from);
    // each call: 1 + retries (2) requests to `fast`, then one to `steady`
    expect(calls.filter((c) => c.model === 'fast-model')).toHaveLength(36);
    expect(calls.filter((c) => c.model === 'steady-model')).toHaveLength(12);
    for (const r of jsonl(path.join(dir, 'out', 'd.jsonl'))) expect(calls.filter((c) => c.user === `say ${r['n']}`).map((c) => c.model)).toEqual(['fast-model', 'fast-model', 'fast-model', 'steady-model']);
    const m = JSON.parse(readFileSync(path.join(dir, 'out', 'd.manifest.json'), 'utf8'));
    expect(m.fallbacks).toEqual([{ from: 'fast', to: 'steady', calls: 12, cause: 'http', example: expect.stringMatching(/503/) }]);
    expect(m.counts.failed).toBe(0);
  });

  it('a chain: fast (401) → steady (401) → last; when the whole chain is down the rows fail with the cause, and the next run resumes', async () => {
    const CHAIN = FALLBACK('').replace(MODEL('steady'), MODEL('steady', 'fallback last') + '\n' + MODEL('last'));
    const { dir, file } = project(CHAIN);
    script = (b) => (b.model === 'fast-model' || b.model === 'steady-model' ? { status: 401, message: 'Incorrect API key provided.' } : undefined);
    let from = server.requests.length;
    try {
      const s = await run(planOf(file), { projectRoot: dir, env: env(), backoffBaseMs: 1 });
      expect(s.results[0]!.status).toBe('complete');
    } finally {
      script = undefined;
    }
    let calls = sent(server, from);
    expect(calls.filter((c) => c.model === 'last-model')).toHaveLength(12);
    let m = JSON.parse(readFileSync(path.join(dir, 'out', 'd.manifest.json'), 'utf8'));
    expect(Object.fromEntries(m.models.map((x: { name: string; calls: number }) => [x.name, x.calls]))).toEqual({ fast: 1, steady: 1, last: 12 });

    // the whole chain down: nothing is written as if it were an answer; the rows fail with the last model's cause
    const down = project(CHAIN);
    script = () => ({ status: 401, message: 'Incorrect API key provided.' });
    try {
      const s = await run(planOf(down.file), { projectRoot: down.dir, env: env(), backoffBaseMs: 1 });
      expect(s.results[0]!.status).toBe('incomplete');
      expect(s.results[0]!.counts.written).toBe(0);
      expect(s.results[0]!.causes[0]).toMatchObject({ kind: 'http' });
      expect(s.results[0]!.causes[0]!.example).toMatch(/401/);
    } finally {
      script = undefined;
    }
    // the models are back: the next run makes every row once, the first model answering again
    from = server.requests.length;
    const again = await run(planOf(down.file), { projectRoot: down.dir, env: env(), backoffBaseMs: 1 });
    expect(again.results[0]!.status).toBe('complete');
    const rows = jsonl(path.join(down.dir, 'out', 'd.jsonl'));
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r['n'])).size).toBe(12);
    calls = sent(server, from);
    expect(calls.filter((c) => c.model === 'fast-model')).toHaveLength(12);
    m = JSON.parse(readFileSync(path.join(down.dir, 'out', 'd.manifest.json'), 'utf8'));
    expect(m.fallbacks).toEqual([]);
  });

  it('without a fallback, the same 503s fail the rows, with their cause', async () => {
    const { dir, file } = project(FALLBACK('max_consecutive_failures 1000').replace('fallback steady', ''));
    script = (b) => (b.model === 'fast-model' ? { status: 503, message: 'The engine is currently overloaded.' } : undefined);
    try {
      const s = await run(planOf(file), { projectRoot: dir, env: env(), backoffBaseMs: 1 });
      expect(s.results[0]!.status).toBe('incomplete');
      expect(s.results[0]!.causes[0]).toMatchObject({ kind: 'http', count: 12 });
    } finally {
      script = undefined;
    }
  });
});
