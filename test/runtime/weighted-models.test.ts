// `vary m ~ weighted { fast: 0.2, steady: 0.8 }` over model blocks gives a model value, as docs/language.md's
// "Models as values" says (adv15 item 4: it was a string, so `using m` was SYN2060 and `m.name` SYN2013). The
// run sends each row's call to the model it drew, about in the given proportions, and `m.name` names it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const SPEC = `goal "weighted models" { seed 3 }
model fast { name "fast-m" base_url env("TEST_BASE_URL") api_key env("TEST_API_KEY") }
model steady { name "steady-m" base_url env("TEST_BASE_URL") api_key env("TEST_API_KEY") }
prompt pick(q: string) -> string { user "pick {q}" }
struct R { a: string, who: string }
dataset w: R {
  count 200
  vary m ~ weighted { fast: 0.2, steady: 0.8 }
  let p = pick("x") using m
  row = { a: p, who: m.name }
  output "out/w.jsonl"
}
`;

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ seed: 1 });
});
afterAll(() => server.close());

describe('weighted over model blocks', () => {
  it('checks clean, gives a model value, sends each call to the model drawn', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-wmodel-'));
    writeFileSync(path.join(dir, 's.synth'), SPEC);
    const r = checkFile(path.join(dir, 's.synth'));
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
    const s = await run(buildPlan(r).plan, { projectRoot: dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'k' }, backoffBaseMs: 20 });
    expect(s.results.map((x) => x.status)).toEqual(['complete']);
    const rows = readFileSync(path.join(dir, 'out/w.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { who: string });
    const byWho = { fast: rows.filter((x) => x.who === 'fast').length, steady: rows.filter((x) => x.who === 'steady').length };
    expect(byWho.fast + byWho.steady).toBe(200);
    // 200 draws at p = 0.2: 40 expected, sd ≈ 5.7; ±4 sd
    expect(byWho.fast).toBeGreaterThan(17);
    expect(byWho.fast).toBeLessThan(63);
    const sent = server.requests.map((q) => (q.body as { model?: string }).model);
    expect(sent.filter((m) => m === 'fast-m').length).toBe(byWho.fast);
    expect(sent.filter((m) => m === 'steady-m').length).toBe(byWho.steady);
  });
});
