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
