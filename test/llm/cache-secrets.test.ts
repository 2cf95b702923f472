// The cache keeps every answer it may: a key too short to be a secret (`none`, what local servers take) no longer
// keeps answers containing that word out of the cache, while a real key is still never written; an answer left
// out because it holds the key, or a cache folder that refuses writes, is said once on stderr — never silent.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { MIN_SECRET_LENGTH, ResponseCache, type CacheProblem } from '../../runtime/llm/cache.js';
import { scrubber } from '../../runtime/llm/faults.js';
import { run } from '../../runtime/run/run-plan.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const SPEC = `struct R { name: string }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  retries 0
}
prompt p(i: int) -> R {
  model m
  user "name {i}"
}
dataset d: R {
  count 3
  vary i ~ randint(1, 1000)
  row = p(i)
  output "out/d.jsonl"
}
`;

/** Entries in the project's LLM cache: the lines of its logs (cache-log.ts: one line per entry). */
const cacheEntries = (dir: string): number => {
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else n += readFileSync(path.join(d, e.name), 'utf8').split('\n').filter((l) => l.startsWith('{"k":')).length;
    }
  };
  try {
    walk(path.join(dir, '.synth', 'cache', 'llm'));
  } catch {
    return 0;
  }
  return n;
};

describe('cache and secrets', () => {
  let server: FakeOpenAI;
  let answer = '{"name":"none of these"}';
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, script: () => ({ content: answer }) });
  });
  afterAll(async () => {
    await server.close();
  });
  const project = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-cache-secret-'));
    writeFileSync(path.join(dir, 'spec.synth'), SPEC);
    return { dir, plan: buildPlan(checkFile(path.join(dir, 'spec.synth'))).plan };
  };
  const runIt = async (p: ReturnType<typeof project>, key: string, fresh = false) => {
    const notices: string[] = [];
    const before = server.requests.length;
    const s = await run(p.plan, { projectRoot: p.dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: key }, fresh, onNotice: (l) => notices.push(l) });
    return { s, notices, sent: server.requests.length - before };
  };

  it(`a key shorter than ${MIN_SECRET_LENGTH} characters is no secret: answers containing "none" are cached, and a rerun sends nothing`, async () => {
    answer = '{"name":"none of these"}';
    const p = project();
    const first = await runIt(p, 'none');
    expect(first.s.results[0]!.status).toBe('complete');
    expect(cacheEntries(p.dir)).toBe(3);
    expect(first.notices).toEqual([]);
    const again = await runIt(p, 'none', true);
    expect(again.sent).toBe(0);
    // and messages keep the word
    expect(scrubber('none')('none of these')).toBe('none of these');
    expect(scrubber('sk-long-secret')('key sk-long-secret leaked')).toBe('key *** leaked');
  });

  it('an answer holding a real key is not cached, said once for all its rows; the rows are kept', async () => {
    answer = '{"name":"it is sk-test-secret-42"}';
    const p = project();
    const r = await runIt(p, 'sk-test-secret-42');
    expect(r.s.results[0]!.counts.written).toBe(3);
    expect(cacheEntries(p.dir)).toBe(0);
    expect(r.notices).toEqual(['note: an answer contains the API key (from $TEST_API_KEY), so it is not cached (keys are never written to disk); the row is kept, and its call is made again on the next run']);
  });

  it('a cache folder that refuses writes is said once; the rows are kept', async () => {
    answer = '{"name":"fine"}';
    const p = project();
    mkdirSync(path.join(p.dir, '.synth', 'cache'), { recursive: true });
    writeFileSync(path.join(p.dir, '.synth', 'cache', 'llm'), 'a file where the folder should be');
    const r = await runIt(p, 'none');
    expect(r.s.results[0]!.counts.written).toBe(3);
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toMatch(/^note: cannot write the LLM cache in .*\.synth\/cache: .*\(E(EXIST|NOTDIR)\); answers are not cached this run, so a rerun pays for them again \(rows are kept\)$/);
  });

  it('ResponseCache.keep reports, never throws', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-cache-keep-'));
    const problems: CacheProblem['kind'][] = [];
    const c = new ResponseCache(dir, ['abc', 'a-long-enough-key'], (pr) => problems.push(pr.kind));
    await c.keep('ab'.repeat(32), { value: 'abc is fine', usage: { prompt: 0, completion: 0 }, model: 'm' });
    await c.keep('cd'.repeat(32), { value: 'a-long-enough-key', usage: { prompt: 0, completion: 0 }, model: 'm' });
    expect(await c.get('ab'.repeat(32))).toBeDefined();
    expect(await c.get('cd'.repeat(32))).toBeUndefined();
    expect(problems).toEqual(['secret']);
  });
});
