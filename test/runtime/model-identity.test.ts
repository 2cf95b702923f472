// A model is what the run calls, not what the plan spells: a model name or endpoint given through `env()` is
// resolved before it enters a row's provenance or a call's cache key, so switching the model by environment
// remakes the rows with the other model (never reusing the first model's rows or cached answers), and
// switching back takes them from the cache again. The API key never enters either.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { Plan } from '../../compiler/plan/schema.js';
import { promptHash } from '../../runtime/dataset/provenance.js';
import { cacheKey } from '../../runtime/llm/cache.js';
import { endpointIdentity } from '../../runtime/llm/endpoint.js';
import { run } from '../../runtime/run/run-plan.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const SPEC = `struct T { subject: string  n: int }
model m {
  name env("MODEL", "gpt-mini")
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  retries 0
}
prompt p(i: int) -> T {
  model m
  user "ticket {i}"
}
dataset d: T {
  count 4
  vary i ~ randint(1, 1000)
  row = p(i)
  output "out/d.jsonl"
}
`;

function project(): { dir: string; plan: Plan; out: () => string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-model-id-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, SPEC);
  return { dir, plan: buildPlan(checkFile(file)).plan, out: () => readFileSync(path.join(dir, 'out', 'd.jsonl'), 'utf8') };
}

describe('model identity', () => {
  let a: FakeOpenAI;
  let b: FakeOpenAI;
  beforeAll(async () => {
    a = await startFakeOpenAI({ deterministic: true });
    b = await startFakeOpenAI({ deterministic: true, seed: 2 });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('provenance: the resolved model name and endpoint count, the API key does not', () => {
    const { plan } = project();
    const h = (env: Record<string, string>) => promptHash(plan, 'p', env);
    const base = { TEST_BASE_URL: 'http://h:1/v1', TEST_API_KEY: 'k1' };
    expect(h(base)).toBe(h({ ...base, MODEL: 'gpt-mini' })); // the default, spelt out
    expect(h({ ...base, MODEL: 'gpt-big' })).not.toBe(h(base));
    expect(h({ ...base, TEST_BASE_URL: 'http://other:1/v1' })).not.toBe(h(base));
    expect(h({ ...base, TEST_API_KEY: 'k2' })).toBe(h(base));
  });

  it('cache keys: the endpoint counts (without credentials or a trailing slash)', () => {
    const k = { model: 'm', endpoint: endpointIdentity('http://h:1/v1'), params: {}, messages: [{ role: 'user' as const, content: 'x' }], schema: undefined, rowKey: 'r' };
    expect(cacheKey({ ...k, endpoint: endpointIdentity('http://other:1/v1') })).not.toBe(cacheKey(k));
    expect(endpointIdentity('http://user:secret@h:1/v1/')).toBe('http://h:1/v1');
    expect(endpointIdentity('https://x.openai.azure.com/openai/deployments/d?api-version=1')).toBe('https://x.openai.azure.com/openai/deployments/d?api-version=1');
  });

  it('MODEL=… switches the model: rows remade and asked of the new model; switching back comes from the cache', async () => {
    const p = project();
    const env = (extra: Record<string, string> = {}) => ({ TEST_BASE_URL: a.url, TEST_API_KEY: 'none', ...extra });
    const sent = async (extra: Record<string, string>) => {
      const before = a.requests.length;
      const s = await run(p.plan, { projectRoot: p.dir, env: env(extra) });
      return { s, models: a.requests.slice(before).map((r) => (r.body as { model: string }).model) };
    };
    const first = await sent({});
    expect(first.models).toEqual(['gpt-mini', 'gpt-mini', 'gpt-mini', 'gpt-mini']);
    const mini = p.out();

    const big = await sent({ MODEL: 'gpt-big' });
    expect(big.models).toEqual(['gpt-big', 'gpt-big', 'gpt-big', 'gpt-big']);
    expect(big.s.results[0]!.counts.reused).toBe(0);
    expect(big.s.results[0]!.remadeWhy).toEqual({ "prompt 'p' changed": 4 });
    expect(p.out()).not.toBe(mini);
    // what a fresh run of the big model writes
    const fresh = project();
    await run(fresh.plan, { projectRoot: fresh.dir, env: env({ MODEL: 'gpt-big' }) });
    expect(p.out()).toBe(fresh.out());

    const back = await sent({});
    expect(back.models).toEqual([]); // every answer from the cache
    expect(p.out()).toBe(mini);
  });

  it('another endpoint serving the same model name is asked, not answered from the first one’s cache', async () => {
    const p = project();
    await run(p.plan, { projectRoot: p.dir, env: { TEST_BASE_URL: a.url, TEST_API_KEY: 'none' } });
    const before = b.requests.length;
    const s = await run(p.plan, { projectRoot: p.dir, env: { TEST_BASE_URL: b.url, TEST_API_KEY: 'none' } });
    expect(b.requests.length - before).toBe(4);
    expect(s.results[0]!.remadeWhy).toEqual({ "prompt 'p' changed": 4 });
  });
});
