import { afterEach, describe, expect, it } from 'vitest';
import { LlmClient } from '../../runtime/llm/client.js';
import { retryAfterMs, Scheduler, TokenBucket } from '../../runtime/llm/scheduler.js';
import { Slots } from '../../runtime/llm/slots.js';
import { countTokens, estimatePromptTokens, encodingForModel } from '../../runtime/llm/tokens.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const servers: FakeOpenAI[] = [];
const clients: LlmClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const SCHEMA = { type: 'object', properties: { a: { type: 'string', minLength: 3, maxLength: 10 } }, required: ['a'], additionalProperties: false };
const ask = (i: number, text = 'hello') => ({ messages: [{ role: 'user' as const, content: `${text} ${i}` }], schema: SCHEMA, schemaName: 'A', rowKey: `d/${i}` });

function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('Slots', () => {
  const turn = () => new Promise((r) => setImmediate(r));

  it('takes a free slot at once, queues the rest first come first served, follows limit changes', async () => {
    const s = new Slots(2);
    expect(s.acquire()).toBeUndefined();
    expect(s.acquire()).toBeUndefined();
    const order: number[] = [];
    const waits = [1, 2, 3, 4].map((i) => s.acquire()!.then(() => order.push(i)));
    expect([s.inFlight, s.pending]).toEqual([2, 4]);
    s.release();
    await waits[0];
    expect(order).toEqual([1]);
    s.limit = 4; // raising it starts waiters now
    await Promise.all([waits[1], waits[2]]);
    expect(order).toEqual([1, 2, 3]);
    expect([s.inFlight, s.pending]).toEqual([4, 1]);
    s.limit = 1; // lowering it lets the ones in flight finish
    s.release();
    s.release();
    s.release();
    await turn();
    expect(order).toEqual([1, 2, 3]);
    s.release();
    await waits[3];
    expect(order).toEqual([1, 2, 3, 4]);
    expect([s.inFlight, s.pending]).toEqual([1, 0]);
    expect(() => new Slots(0)).toThrow(RangeError);
  });
});

describe('TokenBucket', () => {
  it('refills continuously with one second of burst, serving waiters in order', async () => {
    const clock = fakeClock();
    const b = new TokenBucket(600, clock.now); // 10/s, burst 10
    expect(b.capacity).toBe(10);
    for (let i = 0; i < 10; i++) await b.take(1);
    expect(b.available()).toBeCloseTo(0);
    const order: number[] = [];
    const p1 = b.take(1).then(() => order.push(1));
    const p2 = b.take(1).then(() => order.push(2));
    clock.advance(100);
    await new Promise((r) => setTimeout(r, 120)); // the bucket's timer fires and finds 1 unit
    await p1;
    expect(order).toEqual([1]);
    clock.advance(100);
    await p2;
    expect(order).toEqual([1, 2]);
  });

  it('lets a request larger than the burst through when full, leaving debt; adjust() corrects reservations', async () => {
    const clock = fakeClock();
    const b = new TokenBucket(6000, clock.now); // 100/s
    await b.take(250);
    expect(b.available()).toBe(-150);
    b.adjust(200); // the call used 50, not 250
    expect(b.available()).toBe(50);
    b.adjust(-80); // under-estimate
    expect(b.available()).toBe(-30);
  });
});

describe('Scheduler', () => {
  it('AIMD: shrinks on pushback at most once per cooldown, grows back after a window of successes', () => {
    const clock = fakeClock();
    const events: unknown[] = [];
    const s = new Scheduler({ concurrency: 100, now: clock.now, onEvent: (e) => events.push(e) });
    s.pushback('429');
    expect(s.limit).toBe(70);
    s.pushback('429'); // same burst
    expect(s.limit).toBe(70);
    clock.advance(1001);
    s.pushback('timeout');
    expect(s.limit).toBe(49);
    for (let i = 0; i < 49; i++) s.success();
    expect(s.limit).toBe(54);
    for (let i = 0; i < 10_000; i++) s.success();
    expect(s.limit).toBe(100);
    expect(s.stats.decreases).toBe(2);
    expect(events[0]).toEqual({ type: 'concurrency', limit: 70, reason: '429' });
    const floor = new Scheduler({ concurrency: 3, minConcurrency: 2, now: clock.now });
    floor.pushback('x');
    clock.advance(2000);
    floor.pushback('x');
    expect(floor.limit).toBe(2);
  });

  it('backoff is exponential with jitter, capped, and Retry-After wins', () => {
    const s = new Scheduler({ concurrency: 1, backoffBaseMs: 100, backoffMaxMs: 1000 });
    for (let i = 0; i < 50; i++) {
      const d1 = s.backoff(1);
      const d3 = s.backoff(3);
      const d9 = s.backoff(9);
      expect(d1).toBeGreaterThanOrEqual(50);
      expect(d1).toBeLessThanOrEqual(100);
      expect(d3).toBeGreaterThanOrEqual(200);
      expect(d3).toBeLessThanOrEqual(400);
      expect(d9).toBeLessThanOrEqual(1000);
      const ra = s.backoff(1, 2000);
      expect(ra).toBeGreaterThanOrEqual(2000);
      expect(ra).toBeLessThanOrEqual(2200);
    }
    const h = (o: Record<string, string>) => ({ get: (k: string) => o[k] ?? null });
    expect(retryAfterMs(h({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(h({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    expect(retryAfterMs(h({ 'retry-after': new Date(10_000 + 5000).toUTCString() }), 10_000)).toBeGreaterThanOrEqual(4000);
    expect(retryAfterMs(h({}))).toBeUndefined();
  });

  it('never has more requests in flight than the declared concurrency', async () => {
    const srv = await startFakeOpenAI({ latencyMs: 30, latencyJitterMs: 20 });
    servers.push(srv);
    const c = new LlmClient({ id: 'm', model: 'm', baseUrl: srv.url, concurrency: 7, retries: 0, timeoutMs: 5000 }, { apiKey: 'k' });
    clients.push(c);
    await Promise.all(Array.from({ length: 60 }, (_, i) => c.call(ask(i))));
    expect(srv.stats().maxInFlight).toBe(7);
  });

  it('enforces rpm over a real endpoint', async () => {
    const srv = await startFakeOpenAI({ latencyMs: 1 });
    servers.push(srv);
    const c = new LlmClient({ id: 'm', model: 'm', baseUrl: srv.url, concurrency: 50, rpm: 1200, retries: 0, timeoutMs: 5000 }, { apiKey: 'k' });
    clients.push(c);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => c.call(ask(i))));
    // 20/s with a burst of 20: 40 requests need at least ~1 s
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const at = srv.requests.map((r) => r.at - srv.requests[0]!.at);
    // no window of 500 ms holds more than the burst plus half a second's worth (+1 for timer granularity)
    for (let i = 0; i < at.length; i++) expect(at.filter((t) => t >= at[i]! && t < at[i]! + 500).length).toBeLessThanOrEqual(20 + 10 + 1);
  });

  it('enforces tpm with the token estimate before the call and true usage after', async () => {
    const srv = await startFakeOpenAI({ latencyMs: 1 });
    servers.push(srv);
    // tpm 6,000 = 100 tokens/s with a burst of 100
    const c = new LlmClient({ id: 'm', model: 'gpt-4o-mini', baseUrl: srv.url, concurrency: 50, tpm: 6000, maxTokens: 20, retries: 0, timeoutMs: 5000 }, { apiKey: 'k' });
    clients.push(c);
    const est = estimatePromptTokens(ask(0).messages, SCHEMA, 'gpt-4o-mini') + 20;
    expect(est).toBeGreaterThan(30);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 16 }, (_, i) => c.call(ask(i))));
    const ms = Date.now() - t0;
    const used = c.stats.usage.prompt + c.stats.usage.completion;
    // whatever the order, tokens spent by time T are at most burst + rate × T
    expect(used).toBeGreaterThan(150);
    expect(ms).toBeGreaterThanOrEqual(((used - 100) / 100) * 1000 - 30);
  });
});

describe('tokens', () => {
  it('counts with the real BPE tables, special-token text as text', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('<|endoftext|>')).toBeGreaterThan(1);
    expect(encodingForModel('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-4-turbo')).toBe('cl100k_base');
    expect(encodingForModel('gpt-4.1')).toBe('o200k_base');
    expect(estimatePromptTokens([{ role: 'user', content: 'hello world' }], undefined, 'gpt-4o')).toBe(3 + 3 + 2);
  });
});
