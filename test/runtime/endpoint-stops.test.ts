// Endpoints that cannot serve a dataset stop it within seconds, whatever the way they fail:
//  - a 429 that is about the account (OpenAI's `insufficient_quota`, `billing_hard_limit_reached`, or the
//    "exceeded your current quota" message) is not rate limiting: SYN5020 after one request, naming it;
//  - 429s without Retry-After, forever: they count towards the breaker at 5 × `max_consecutive_failures`
//    (SYN5021) — 429s with Retry-After never do (the endpoint is pacing us);
//  - an endpoint that accepts connections but never answers: as many requests as one call may make, then
//    SYN5020 "no answer from HOST within …" (it took minutes: probe-first sent one request per row, each timing out).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { budgetGuard, promptRunnerFactory } from '../../runtime/wiring.js';
import { synthAsync } from '../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI, type ScriptedAnswer } from '../support/fake-openai.js';

const SPEC = (o: { count?: number; model?: string } = {}) => `struct R { name: string }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")${o.model ?? ''}
}
prompt ask(n: int) -> R {
  model m
  user "Thing {n}."
}
dataset d: R {
  count ${o.count ?? 30}
  vary n ~ randint(1, 1000)
  row = ask(n)
  output "out/d.jsonl"
}
`;

function project(src: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-stops-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  return { dir, file, plan: () => buildPlan(checkFile(file)).plan, manifest: () => JSON.parse(readFileSync(path.join(dir, 'out', 'd.manifest.json'), 'utf8')) as Record<string, unknown> };
}

describe('endpoints that cannot serve stop the dataset', () => {
  let server: FakeOpenAI;
  let script: () => ScriptedAnswer | undefined = () => undefined;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, script: () => script() });
  });
  afterAll(async () => {
    await server.close();
  });
  const runIt = async (src: string) => {
    const p = project(src);
    const before = server.requests.length;
    const s = await run(p.plan(), { projectRoot: p.dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'sk-some-long-key' }, backoffBaseMs: 1 });
    return { s, p, requests: server.requests.length - before };
  };

  for (const [what, answer] of [
    ['code insufficient_quota', { status: 429, code: 'insufficient_quota', message: 'You exceeded your current quota, please check your plan and billing details.' }],
    ['code billing_hard_limit_reached', { status: 429, code: 'billing_hard_limit_reached', message: 'Billing hard limit has been reached' }],
    ['only the quota message', { status: 429, message: 'You exceeded your current quota, please check your plan and billing details.' }],
  ] as const) {
    it(`a permanent 429 (${what}) stops the dataset after one request with SYN5020 naming it`, async () => {
      script = () => answer;
      const { s, p, requests } = await runIt(SPEC({ model: '\n  retries 5\n  concurrency 8' }));
      expect(requests).toBe(1);
      expect(s.error?.code).toBe('SYN5020');
      expect(s.error?.message).toMatch(new RegExp(`^HTTP 429 from 127\\.0\\.0\\.1:${server.port} \\(quota or billing exhausted${'code' in answer ? `: ${answer.code}` : ''} — check the account's plan and billing\\)`));
      expect(p.manifest()['status']).toBe('incomplete');
    });
  }

  it('a 401: one call failed, the calls never sent are counted apart (failed_calls 1, not_sent_calls the rest)', async () => {
    script = () => ({ status: 401, message: 'Incorrect API key provided' });
    const { s, p, requests } = await runIt(SPEC({ count: 5, model: '\n  concurrency 4' }));
    expect(requests).toBe(1);
    expect(s.error?.code).toBe('SYN5020');
    const counts = p.manifest()['counts'] as Record<string, number>;
    expect(counts['failed_calls']).toBe(1);
    expect(counts['not_sent_calls']).toBe(4);
    expect(counts['calls']).toBe(1);
  });

  it('rows cut short by a stop (the budget) are "not made", not "failed"', async () => {
    script = () => undefined;
    const p = project(SPEC({ count: 12, model: '\n  max_tokens 20\n  concurrency 4\n  price { input: 1000, output: 1000 }' }));
    // the guard without the estimate's refusal up front (as failure-causes.test.ts does)
    const plan = p.plan();
    const budget = budgetGuard(0.3);
    const wiring = promptRunnerFactory(plan, p.dir, budget, { env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'sk-some-long-key' }, backoffBaseMs: 1 });
    const s = await run(plan, { projectRoot: p.dir, prompts: wiring, shouldStop: () => budget.exceeded() });
    await wiring.close();
    expect(s.error?.code).toBe('SYN5027');
    const r = s.results[0]!;
    expect(r.counts.failed).toBe(0);
    expect(r.counts.notMade).toBeGreaterThan(0); // rows whose call the budget stopped
    expect(r.counts.notMade + r.counts.written).toBeLessThanOrEqual(12);
    expect(r.missing).toBe(12 - r.counts.written);
    const m = p.manifest();
    expect((m['counts'] as Record<string, number>)['failed']).toBe(0);
    expect((m['causes'] as Array<{ cause: string }>).every((c) => c.cause === 'budget' || c.cause === 'stopped')).toBe(true);
  });

  it('429s without Retry-After forever trip the breaker at 5 × max_consecutive_failures (SYN5021), not retries × rows', async () => {
    script = () => ({ status: 429, message: 'Rate limit reached for requests' });
    const { s, requests } = await runIt(SPEC({ count: 30, model: '\n  retries 50\n  concurrency 1\n  max_consecutive_failures 4' }));
    expect(s.error?.code).toBe('SYN5021');
    expect(s.error?.message).toMatch(/^model 'm': 20 requests in a row failed \(the last: HTTP 429 from .* \(rate limited\)/);
    expect(requests).toBe(20);
  });

  it('429s with Retry-After never count: a burst of 40 longer than the breaker passes, every row made', async () => {
    let n = 0;
    script = () => (++n <= 40 ? { status: 429, message: 'Rate limit reached', headers: { 'retry-after-ms': '1' } } : undefined);
    const { s } = await runIt(SPEC({ count: 5, model: '\n  retries 60\n  concurrency 1\n  max_consecutive_failures 2' }));
    expect(s.error).toBeUndefined();
    expect(s.results[0]!.status).toBe('complete');
  });
});

describe('an endpoint that accepts connections but never answers', () => {
  let hung: net.Server;
  let port = 0;
  let requests = 0;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    hung = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('data', (d) => (requests += (d.toString().match(/^POST /gm) ?? []).length));
      sock.on('error', () => undefined);
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    port = (hung.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hung.close(r));
  });

  it('a 5-row run stops after one call’s attempts (3 requests), exit 2, one line naming host and cause, in seconds', async () => {
    const p = project(SPEC({ count: 5, model: '\n  retries 2\n  timeout 400ms\n  concurrency 4' }));
    const t0 = Date.now();
    const r = await synthAsync(['run', p.file], { cwd: p.dir, env: { TEST_BASE_URL: `http://127.0.0.1:${port}/v1`, TEST_API_KEY: 'none' } });
    const seconds = (Date.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(2);
    expect(requests).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.includes(`127.0.0.1:${port}`));
    expect(lines).toEqual([`error SYN5020: no answer from 127.0.0.1:${port} within 400 ms (raise \`timeout\` if the model is slow); every call to model 'm' would fail the same way, so the dataset stopped — fix this and run again`]);
    expect(p.manifest()['status']).toBe('incomplete');
    // the summary and the manifest name the rows' cause alike: its kind and the code that stopped the run
    expect(r.stderr).toMatch(/^ {4}5 × timeout: SYN5020 \(below\)$/m);
    expect(p.manifest()['causes']).toMatchObject([{ cause: 'timeout', count: 5, error: 'SYN5020' }]);
    // generous: 3 × 0.4 s of timeouts plus backoff and start-up (it was 5 rows × 4 attempts × the timeout)
    expect(seconds).toBeLessThan(60);
  });
});

describe('timeouts once the endpoint has answered', () => {
  it('fail only their rows, with the cause; the dataset goes on (no SYN5020)', async () => {
    const server = await startFakeOpenAI({ deterministic: true });
    try {
      const p = project(SPEC({ count: 12, model: '\n  retries 1\n  timeout 300ms\n  concurrency 4' }));
      // requests for rows whose number ends in 7 hang until the client gives up; the rest are answered
      const hanging: typeof fetch = async (url, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        if (!/Thing \d*7\./.test(body)) return fetch(url, init);
        return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
      };
      const s = await run(p.plan(), { projectRoot: p.dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'none' }, fetch: hanging, backoffBaseMs: 1 });
      const r = s.results[0]!;
      expect(s.error).toBeUndefined();
      expect(r.counts.failed).toBeGreaterThan(0);
      expect(r.counts.written + r.counts.failed).toBe(12);
      expect(r.causes[0]).toMatchObject({ kind: 'timeout', example: expect.stringMatching(/^no answer from 127\.0\.0\.1:\d+ within 300 ms/) });
    } finally {
      await server.close();
    }
  });
});
