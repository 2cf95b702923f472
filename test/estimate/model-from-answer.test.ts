// A call whose model is chosen by a model's answer (`answer(q) using if_else(route(q).hard, a, b)`): the estimate
// cannot know the choice, so it counts the call on the dearest model the dataset can reach FOR THAT CALL'S PROMPT,
// and says the figure is an upper bound. Prices are set so the dearest model differs between the two prompts (a
// long prompt on an input-priced model, a long answer on an output-priced one): ranking the models on another
// prompt would under-count.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { estimateCall, estimateDataset } from '../../compiler/plan/estimate.js';
import { buildPlan } from '../../compiler/plan/lower.js';

const LONG = 'Read this request with care and decide whether it is hard. '.repeat(40);

const SPEC = `goal "route" { seed 1 }
model inputy { name "i" api_key env("K") max_tokens 1000 price { input: 100.0, output: 0.01 } }
model outputy { name "o" api_key env("K") max_tokens 1000 price { input: 0.01, output: 100.0 } }
struct Route { hard: bool }
prompt route(q: string) -> Route { model inputy  max_tokens 10  user "${LONG}{q}" }
prompt answer(q: string) -> string { user "{q}" }
dataset d {
  count 10
  vary q ~ one_of("a", "b")
  let r = route(q)
  let m = if_else(r.hard, inputy, outputy)
  row = { text: answer(q) using m }
  output "out/d.jsonl"
}
`;

describe('a model chosen by an answer', () => {
  it('counts each such call on the dearest model for its own prompt, as an upper bound', () => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), 'synth-route-')), 's.synth');
    writeFileSync(f, SPEC);
    const res = checkFile(f);
    expect(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    const plan = buildPlan(res).plan;
    // the premise: the dearest model differs by prompt
    expect(estimateCall(plan, 'route', 'inputy')!.usd!).toBeGreaterThan(estimateCall(plan, 'route', 'outputy')!.usd!);
    expect(estimateCall(plan, 'answer', 'outputy')!.usd!).toBeGreaterThan(estimateCall(plan, 'answer', 'inputy')!.usd!);
    const est = estimateDataset(plan, plan.datasets['d']!);
    expect(est.upperBound).toBe(true);
    expect(est.total!.calls).toBe(20);
    expect(est.total!.prompts['answer']!.calls).toBe(10);
    // every answer call priced as on `outputy`, whichever the run picks
    expect(est.total!.models['outputy']!.calls).toBe(10);
    expect(est.total!.prompts['answer']!.usd).toBeCloseTo(10 * estimateCall(plan, 'answer', 'outputy')!.usd!, 9);
  });
});

// adv15 item 7: a call whose model an answer chooses was counted on the dearest model only, so the other
// model's per-model figure was below what the server received, with no `≤`. Now each model's figure is an
// upper bound of the calls it receives: checked against the fake server over seeded answers.
const ROUTED = `goal "dep" { seed 4 }
model a { name "ma" base_url env("TEST_BASE_URL") api_key env("TEST_API_KEY") max_tokens 20 price { input: 1, output: 1 } }
model b { name "mb" base_url env("TEST_BASE_URL") api_key env("TEST_API_KEY") max_tokens 20 price { input: 5, output: 5 } }
struct V { ok: bool, n: int @range(0..3) }
prompt decide(q: string) -> V { model a  user "decide {q}" }
prompt say(q: string) -> string { user "say {q}" }
struct R { x: string, y: string }
dataset d: R {
  count 20
  vary q ~ one_of("p", "q", "r", "s")
  let v = decide(q)
  let x = if_else(v.ok, say(q) using b, "no")
  let acc = ""
  for i in 1..2 {
    acc = acc + say(acc) using a
  }
  let m = if_else(v.ok, a, b)
  let z = say(q) using m
  row = { x: x + z, y: acc }
  output "out/d.jsonl"
}
`;

describe('per-model figures when an answer chooses the model', () => {
  it('each model\'s figure is ≥ the calls the server receives on it, for seeded answers', async () => {
    const { startFakeOpenAI } = await import('../support/fake-openai.js');
    const { run } = await import('../../runtime/run/run-plan.js');
    const { estimatePlan } = await import('../../compiler/plan/estimate.js');
    for (const seed of [1, 2, 3]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'synth-route-'));
      writeFileSync(path.join(dir, 's.synth'), ROUTED);
      const res = checkFile(path.join(dir, 's.synth'));
      expect(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
      const plan = buildPlan(res).plan;
      const est = estimatePlan(plan);
      expect(est.upperBound).toEqual(['d']);
      // --dry-run says so: `≤` beside each model, `upper_bound: true` in its JSON
      const { estimateJson, estimateText } = await import('../../cli/estimate.js');
      const json = JSON.parse(estimateJson(plan, est)) as { total: { models: Record<string, { upper_bound?: boolean }> } };
      expect(Object.values(json.total.models).map((m) => m.upper_bound)).toEqual([true, true]);
      expect(estimateText(plan, est)).toMatch(/^ {2}a +≤ \d+ calls/m);
      const server = await startFakeOpenAI({ seed });
      try {
        const s = await run(plan, { projectRoot: dir, env: { TEST_BASE_URL: server.url, TEST_API_KEY: 'k' }, backoffBaseMs: 20 });
        expect(s.results.map((x) => x.status)).toEqual(['complete']);
        const got = (name: string) => server.requests.filter((q) => (q.body as { model?: string }).model === name).length;
        expect(got('ma') + got('mb')).toBeLessThanOrEqual(est.total.calls);
        expect(got('ma'), `seed ${seed}`).toBeLessThanOrEqual(est.total.models['a']!.calls);
        expect(got('mb'), `seed ${seed}`).toBeLessThanOrEqual(est.total.models['b']!.calls);
      } finally {
        await server.close();
      }
    }
  });
});
