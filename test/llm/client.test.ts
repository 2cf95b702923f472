import { createHash } from 'node:crypto';
// The LLM client against a real HTTP server speaking the OpenAI API (test/support/fake-openai.ts), through the
// real `openai` package: no mocks of the client.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SynthError } from '../../base/diagnostics.js';
import { LlmClient, strictCompatible } from '../../runtime/llm/client.js';
import { cacheKey, canonicalJson } from '../../runtime/llm/cache.js';
import { mulberry32 } from '../support/prng.js';
import { keepAliveFetch } from '../../runtime/llm/http.js';
import type { LlmEvent, ModelProfile } from '../../runtime/llm/types.js';
import { ALL_FAULTS, startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const KEY = 'sk-test-9f8e7d6c5b4a3210ZZtopSecret';

const TICKET = {
  type: 'object',
  properties: {
    subject: { type: 'string', minLength: 5, maxLength: 80 },
    body: { type: 'string', minLength: 40, maxLength: 400 },
    priority: { type: 'integer', minimum: 1, maximum: 5 },
    score: { type: 'number', minimum: 0, maximum: 1 },
    tier: { type: 'string', enum: ['free', 'pro', 'enterprise'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 12 }, minItems: 1, maxItems: 4 },
    code: { type: 'string', pattern: '^[A-Z]{3}-[0-9]{4}$' },
    customer: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 2, maxLength: 30 }, email: { type: ['string', 'null'] } },
      required: ['name', 'email'],
      additionalProperties: false,
    },
  },
  required: ['subject', 'body', 'priority', 'score', 'tier', 'tags', 'code', 'customer'],
  additionalProperties: false,
};
const checkTicket = new Ajv({ allErrors: true }).compile(TICKET);

let dir: string;
const servers: FakeOpenAI[] = [];
const clients: LlmClient[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'synth-llm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(opts: Parameters<typeof startFakeOpenAI>[0] = {}): Promise<FakeOpenAI> {
  const s = await startFakeOpenAI({ apiKey: KEY, ...opts });
  servers.push(s);
  return s;
}

function client(s: FakeOpenAI, profile: Partial<ModelProfile> = {}, opts: Partial<ConstructorParameters<typeof LlmClient>[1]> = {}): LlmClient {
  const c = new LlmClient(
    { id: 'writer', model: 'gpt-4o-mini', baseUrl: s.url, apiKeyEnv: 'TEST_KEY', temperature: 0.7, maxTokens: 300, concurrency: 16, retries: 3, timeoutMs: 5000, ...profile },
    { apiKey: KEY, cacheDir: null, backoffBaseMs: 5, backoffMaxMs: 50, ...opts },
  );
  clients.push(c);
  return c;
}

const ask = (i: number, extra = '') => ({
  messages: [
    { role: 'system' as const, content: 'You write realistic support tickets.' },
    { role: 'user' as const, content: `Ticket number ${i}.${extra}` },
  ],
  schema: TICKET,
  schemaName: 'Ticket',
  rowKey: `tickets/${i}/0/row/0`,
});

function allFiles(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

/** The cache's entries: the lines of its logs (runtime/llm/cache-log.ts). */
function cacheLines(cacheDir: string): string[] {
  return allFiles(cacheDir)
    .filter((f) => /[/\\]llm[/\\]log[/\\][^/\\]+\.jsonl$/.test(f))
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
}

describe('LlmClient', () => {
  it('sends structured-output requests through the openai client and returns schema-valid values', async () => {
    const s = await server();
    const c = client(s);
    const r = await c.call(ask(1));
    expect(checkTicket(r.value)).toBe(true);
    expect(r).toMatchObject({ cached: false, attempts: 1, retried: false, modelReported: 'gpt-4o-mini-fake' });
    expect(r.usage.prompt).toBeGreaterThan(0);
    expect(r.usage.completion).toBeGreaterThan(0);
    const sent = s.requests[0]!;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/chat/completions', authorized: true, status: 200 });
    expect(sent.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.7,
      max_tokens: 300,
      messages: ask(1).messages,
      response_format: { type: 'json_schema', json_schema: { name: 'Ticket', schema: TICKET, strict: true } },
    });
    expect(c.stats).toMatchObject({ calls: 1, requests: 1, failed: 0, models: ['gpt-4o-mini-fake'] });
  });

  it('with 20 % injected faults of every kind, 1,000 calls complete with 1,000 valid results', async () => {
    const s = await server({ latencyMs: 5, faults: { rate: 0.2, kinds: ALL_FAULTS }, seed: 11, record: false, hangMs: 10_000, retryAfterMs: 20 });
    const events: LlmEvent[] = [];
    const cacheDir = path.join(dir, 'faults', '.synth', 'cache');
    const c = client(s, { concurrency: 100, retries: 8, timeoutMs: 1500 }, { onEvent: (e) => events.push(e), cacheDir });
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.call(ask(i))));
    expect(results).toHaveLength(1000);
    for (const r of results) expect(checkTicket(r.value), JSON.stringify(r.value)).toBe(true);
    const st = s.stats();
    // every kind was injected and recovered from
    for (const k of ALL_FAULTS) expect(st.faults[k] ?? 0, k).toBeGreaterThan(5);
    expect(c.stats.failed).toBe(0);
    expect(c.stats.retried).toBeGreaterThan(100);
    expect(c.stats.requests).toBe(st.requests);
    expect(results.filter((r) => r.retried).length).toBe(c.stats.retried);
    for (const k of ['rate_limit', 'server', 'timeout', 'network', 'malformed', 'truncated', 'invalid'] as const) expect(c.stats.failures[k] ?? 0, k).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'retry').length).toBe(st.requests - 1000);
    // the key reached no cache entry and no event (events are what the CLI logs)
    const entries = cacheLines(cacheDir);
    expect(entries).toHaveLength(1000);
    expect(new Set(entries.map((l) => JSON.parse(l).k)).size).toBe(1000);
    for (const f of allFiles(cacheDir)) expect(readFileSync(f, 'utf8')).not.toContain(KEY);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('feeds validation errors back to the model and retries within the budget', async () => {
    const s = await server();
    const c = client(s);
    let n = 0;
    const r = await c.call(ask(2), (v) => (n++ === 0 ? [`/priority: ${(v as { priority: number }).priority} is not allowed here`] : []));
    expect(r.attempts).toBe(2);
    expect(r.retried).toBe(true);
    expect(s.requests).toHaveLength(2);
    const second = s.requests[1]!.body as { messages: Array<{ role: string; content: string }> };
    expect(second.messages).toHaveLength(4);
    expect(second.messages[2]!.role).toBe('assistant');
    expect(checkTicket(JSON.parse(second.messages[2]!.content))).toBe(true); // the first answer, echoed
    expect(second.messages[3]).toMatchObject({ role: 'user' });
    expect(second.messages[3]!.content).toContain('is not allowed here');
  });

  it('fails the call with SYN5002 after the budget, never returning an invalid value, and names no secret', async () => {
    const s = await server({ faults: { rate: 1, kinds: ['schema'] } });
    const events: LlmEvent[] = [];
    const c = client(s, { retries: 2 }, { onEvent: (e) => events.push(e) });
    const err = await c.call(ask(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynthError);
    expect((err as SynthError).code).toBe('SYN5002');
    expect((err as SynthError).message).toMatch(/failed after 3 attempts: the answer does not match the type/);
    expect((err as SynthError).message).not.toContain(KEY);
    expect(s.requests).toHaveLength(3);
    expect(c.stats).toMatchObject({ failed: 1, calls: 1 });
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('reports a wrong key as SYN5002 without the key, and does not retry it', async () => {
    const s = await server();
    const c = new LlmClient({ id: 'w', model: 'm', baseUrl: s.url, apiKeyEnv: 'MY_KEY', concurrency: 2, retries: 5, timeoutMs: 2000 }, { apiKey: 'sk-wrong-key-1234567890', cacheDir: null });
    clients.push(c);
    const err = (await c.call(ask(4)).catch((e: unknown) => e)) as SynthError;
    expect(err.code).toBe('SYN5002');
    expect(err.message).toMatch(/HTTP 401.*\$MY_KEY/);
    expect(err.message).not.toContain('sk-wrong-key-1234567890');
    expect(s.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    const s = await server({ faults: { rate: 1, kinds: ['429'] }, retryAfterMs: 300 });
    const c = client(s, { retries: 1 });
    await expect(c.call(ask(5))).rejects.toThrow(/HTTP 429/);
    expect(s.requests).toHaveLength(2);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(295);
    expect(c.scheduler.stats.pushbacks).toBe(2);
  });

  it('times out a hanging request and retries it', async () => {
    const s = await server({ faults: { rate: 1, kinds: ['timeout'] }, hangMs: 5000 });
    const c = client(s, { retries: 1, timeoutMs: 200 });
    // the client's own deadline ends each attempt (a server drop after hangMs would be a different error)
    await expect(c.call(ask(6))).rejects.toThrow(/no answer within 200 ms/);
    expect(s.requests).toHaveLength(2);
  });

  it('caches finished calls on disk by request + row identity, never storing the key', async () => {
    const s = await server();
    const cacheDir = path.join(dir, 'p1', '.synth', 'cache');
    const c1 = client(s, {}, { cacheDir });
    const a = await c1.call(ask(7));
    // same request, same row → a hit, nothing sent
    const c2 = client(s, {}, { cacheDir });
    const b = await c2.call(ask(7));
    expect(b).toMatchObject({ cached: true, attempts: 0, usage: { prompt: 0, completion: 0 } });
    expect(b.value).toEqual(a.value);
    expect(b.modelReported).toBe(a.modelReported);
    expect(s.requests).toHaveLength(1);
    // same prompt for another row → another sample, not a clone
    const other = { ...ask(7), rowKey: 'tickets/8/0/row/0' };
    const c3 = await c2.call(other);
    expect(c3.cached).toBe(false);
    expect(s.requests).toHaveLength(2);
    // any change to what is sent misses
    const hot = client(s, { temperature: 1.2 }, { cacheDir });
    expect((await hot.call(ask(7))).cached).toBe(false);
    expect(s.requests).toHaveLength(3);

    // one log for the process (its clients share it), one line per finished call
    const files = allFiles(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/[/\\]llm[/\\]log[/\\][0-9a-z]+-\d+-[0-9a-f]{8}\.jsonl$/);
    const lines = cacheLines(cacheDir);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatch(/^\{"k":"[0-9a-f]{64}",/);
      expect(line).not.toContain(KEY);
      expect(line).not.toMatch(/authorization|bearer/i);
    }
    expect(statSync(files[0]!).size).toBeGreaterThan(30);
    // read back from disk by a store opened afresh (every client of the folder closed)
    for (const c of [c1, c2, hot]) await c.close();
    const again = client(s, {}, { cacheDir });
    expect(await again.call(ask(7))).toMatchObject({ cached: true, value: a.value });
    expect(s.requests).toHaveLength(3);
  });

  it('never caches an entry that would contain the key', async () => {
    const s = await server({ deterministic: true });
    const cacheDir = path.join(dir, 'p2', '.synth', 'cache');
    const c = client(s, {}, { cacheDir });
    // A text prompt whose answer we cannot control; check the guard directly through the cache layer instead.
    const { ResponseCache } = await import('../../runtime/llm/cache.js');
    const cache = new ResponseCache(cacheDir, [KEY]);
    expect(await cache.set('ab'.repeat(32), { value: { leaked: KEY }, usage: { prompt: 1, completion: 1 }, model: 'm' })).toBe(false);
    expect(await cache.get('ab'.repeat(32))).toBeUndefined();
    await c.call(ask(9));
    for (const f of allFiles(cacheDir)) expect(readFileSync(f, 'utf8')).not.toContain(KEY);
  });

  it('cache keys are canonical and cover model, params, messages, schema and row', () => {
    const base = { model: 'm', endpoint: 'http://h/v1', params: { temperature: 1, max_tokens: 5 }, messages: [{ role: 'user' as const, content: 'x' }], schema: { b: 1, a: 2 }, rowKey: 'r' };
    const k = cacheKey(base);
    expect(cacheKey({ ...base, params: { max_tokens: 5, temperature: 1 }, schema: { a: 2, b: 1 } })).toBe(k);
    for (const v of [{ model: 'n' }, { endpoint: 'http://other/v1' }, { params: { temperature: 0.5, max_tokens: 5 } }, { messages: [{ role: 'user' as const, content: 'y' }] }, { schema: { a: 3, b: 1 } }, { rowKey: 's' }]) {
      expect(cacheKey({ ...base, ...v })).not.toBe(k);
    }
    expect(canonicalJson({ b: [2, { d: 1, c: undefined }], a: null })).toBe('{"a":null,"b":[2,{"d":1}]}');
  });

  it('cache keys stay the sha256 of the canonical JSON of the whole input (keys made before the memoised form still hit)', () => {
    const rnd = mulberry32(77);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const text = () => pick(['', 'x', 'ü "q"', '\u0000\n', 'a'.repeat(50), '{"k":1}']);
    const value = (depth: number): unknown => {
      const r = rnd();
      if (depth > 2 || r < 0.3) return pick<unknown>([text(), 1, -0.5, 1e21, true, null]);
      if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [pick(['b', 'a', 'z', 'é', '0', 'type']), value(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const input = {
        model: text(),
        endpoint: text(),
        params: value(0) as Record<string, unknown>,
        messages: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ role: pick(['system', 'user', 'assistant'] as const), content: text() })),
        schema: rnd() < 0.2 ? undefined : (value(0) as object),
        rowKey: text(),
      };
      if (typeof input.params !== 'object' || input.params === null) input.params = { p: input.params };
      if (input.schema !== undefined && (typeof input.schema !== 'object' || input.schema === null)) input.schema = { s: input.schema };
      const { model, endpoint, params, messages, schema, rowKey } = input;
      const want = createHash('sha256').update(canonicalJson({ v: 1, model, endpoint, params, messages, schema: schema ?? null, rowKey })).digest('hex');
      expect(cacheKey(input)).toBe(want);
      expect(cacheKey(input)).toBe(want); // again, from the memoised params and schema
    }
  });

  it('steps down to json_schema, then json_object, when the endpoint refuses strict structured output', async () => {
    const s1 = await server({ structured: 'json_schema' });
    const c1 = client(s1);
    expect(checkTicket((await c1.call(ask(10))).value)).toBe(true);
    expect(c1.structuredMode).toBe('json_schema');
    expect(s1.requests.map((r) => r.status)).toEqual([400, 200]);

    const s2 = await server({ structured: 'json_object' });
    const c2 = client(s2, { retries: 0 });
    const r = await c2.call(ask(11));
    expect(checkTicket(r.value)).toBe(true);
    expect(c2.structuredMode).toBe('json_object');
    const last = s2.requests.at(-1)!.body as { response_format: unknown; messages: Array<{ content: string }> };
    expect(last.response_format).toEqual({ type: 'json_object' });
    expect(last.messages[0]!.content).toContain('JSON Schema');
  });

  it('steps down once when many calls in flight are refused together', async () => {
    const s = await server({ structured: 'json_schema' });
    // Answers are held 50 ms on the client side, so all 16 requests are sent before the first refusal is read.
    const pool = keepAliveFetch();
    const slow = (async (...a: Parameters<typeof fetch>) => {
      const r = await pool.fetch(...a);
      await new Promise((ok) => setTimeout(ok, 50));
      return r;
    }) as typeof fetch;
    const c = client(s, { concurrency: 16, retries: 0 }, { fetch: slow });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.call(ask(100 + i))));
    for (const r of results) expect(checkTicket(r.value)).toBe(true);
    // strict was refused 16 times at once; json_schema is accepted, so the client must not go on to json_object
    expect(c.structuredMode).toBe('json_schema');
    expect(s.requests.filter((r) => r.status === 400)).toHaveLength(16);
    await pool.close();
  });

  it('wraps non-object return types for structured output and unwraps the answer', async () => {
    const s = await server();
    const c = client(s);
    const schema = { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 2, maxItems: 3 };
    const r = await c.call({ messages: [{ role: 'user', content: 'list' }], schema, schemaName: 'list of tags!', rowKey: 'x/0' });
    expect(Array.isArray(r.value)).toBe(true);
    expect((r.value as string[]).length).toBeGreaterThanOrEqual(2);
    const rf = (s.requests[0]!.body as { response_format: { json_schema: { name: string; schema: { type: string } } } }).response_format;
    expect(rf.json_schema.name).toBe('list_of_tags_');
    expect(rf.json_schema.schema.type).toBe('object');
  });

  it('returns plain text for prompts without a schema', async () => {
    const s = await server();
    const c = client(s);
    const r = await c.call({ messages: [{ role: 'user', content: 'say something' }], schemaName: 'text', rowKey: 't/0' });
    expect(typeof r.value).toBe('string');
    expect((s.requests[0]!.body as Record<string, unknown>)['response_format']).toBeUndefined();
  });

  it('marks non-strict schemas as strict: false', () => {
    expect(strictCompatible(TICKET)).toBe(true);
    expect(strictCompatible({ type: 'object', properties: { a: { type: 'string' } }, required: [] , additionalProperties: false })).toBe(false);
    expect(strictCompatible({ type: 'object', properties: { a: { type: 'object', properties: {} } }, required: ['a'], additionalProperties: false })).toBe(false);
  });

  it('recovers from faults the same way over the standard undici fetch', async () => {
    const s = await server({ faults: { rate: 0.3, kinds: ['disconnect', 'timeout', '500', 'malformed'] }, seed: 3, hangMs: 5000, record: false });
    const pool = keepAliveFetch({ flavour: 'fetch' });
    const c = client(s, { concurrency: 20, retries: 8, timeoutMs: 400 }, { fetch: pool.fetch });
    try {
      const rs = await Promise.all(Array.from({ length: 60 }, (_, i) => c.call(ask(i))));
      for (const r of rs) expect(checkTicket(r.value)).toBe(true);
      expect(c.stats.failures['network'] ?? 0).toBeGreaterThan(0);
      expect(c.stats.failures['timeout'] ?? 0).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it('deterministic mode answers as a pure function of the request', async () => {
    const s = await server({ deterministic: true });
    const c = client(s);
    const a = await c.call(ask(12));
    const b = await c.call(ask(12));
    const d = await c.call(ask(13));
    expect(b.value).toEqual(a.value);
    expect(d.value).not.toEqual(a.value);
  });
});
