// The estimator's own figures (compiler/plan/estimate.ts), worked out by hand on small specs, and the cost of
// answered calls: what the manifest charges equals `costOf` of the usage it reports.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { costOf, countOf, estimatePlan, formatUsd } from '../../compiler/plan/estimate.js';
import { modelPrice } from '../../compiler/plan/price.js';
import { hoverText } from '../../lsp/hover.js';
import { inlayHints } from '../../lsp/inlay-hints.js';
import { Workspace } from '../../lsp/workspace.js';
import { run } from '../../runtime/run/run-plan.js';
import { startFakeOpenAI } from '../support/fake-openai.js';
import { hintsOf, openInEditor, planOfFile, specFile as writeSpec } from '../support/synth.js';
import { mulberry32 } from '../support/prng.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'synth-estimate-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const specFile = (text: string) => writeSpec(text, { dir: tmp, name: `s${n++}.synth` });
const planOf = (text: string) => planOfFile(specFile(text)).plan;

// user "12345678": 8 characters + `""` (a text answer has no schema, counted as the empty JSON string) = 10
// characters → ceil(10 / 4) = 3 tokens, + 8 for the one message = 11 prompt tokens; max_tokens 100 → 50 completion.
const SPEC = (model: string, extra = '') => `goal "g" { seed 1 }
model m { name "gpt-test" api_key env("KEY") max_tokens 100 ${model} }
model painter { name "img" api_key env("KEY") price { image: 0.02 } }
struct Plain { a: string }
struct Shot { a: string, image: image }
prompt p(x: string) -> string { model m user "12345678" }
prompt draw(x: string) -> image { model painter user "{x}" images 3 }
dataset text: Plain { count 10 vary x ~ one_of("a") let v = p(x) row = { a: v } output "out/t.jsonl" }
${extra}`;

describe('estimatePlan', () => {
  it('counts tokens and prices them per 1M tokens', () => {
    const e = estimatePlan(planOf(SPEC('price { input: 1, output: 2 }')));
    const d = e.datasets[0]!;
    expect(d).toMatchObject({ dataset: 'text', rows: 10, unpriced: [] });
    expect(d.perRow).toMatchObject({ calls: 1, promptTokens: 11, completionTokens: 50, images: 0 });
    expect(d.perRow.usd).toBeCloseTo((11 * 1 + 50 * 2) / 1e6, 12);
    expect(d.total).toMatchObject({ calls: 10, promptTokens: 110, completionTokens: 500 });
    expect(d.total!.usd).toBeCloseTo(1110 / 1e6, 12);
    expect(d.total!.models['m']).toMatchObject({ calls: 10 });
    expect(d.total!.prompts['p']).toMatchObject({ calls: 10 });
    expect(e.total).toMatchObject({ rows: 10, calls: 10, promptTokens: 110 });
  });

  it('applies batch_discount to chat calls of a `mode batch` model (default one half)', () => {
    const half = estimatePlan(planOf(SPEC('mode batch price { input: 1, output: 2 }')));
    expect(half.total.usd).toBeCloseTo(0.5 * 1110 / 1e6, 12);
    const quarter = estimatePlan(planOf(SPEC('mode batch price { input: 1, output: 2, batch_discount: 0.25 }')));
    expect(quarter.total.usd).toBeCloseTo(0.25 * 1110 / 1e6, 12);
    // tokens are what they are: the discount is a price
    expect(quarter.total.promptTokens).toBe(110);
  });

  it('prices images per image, and names the models without a price', () => {
    const e = estimatePlan(
      planOf(SPEC('', 'dataset shots: Shot { count 4 vary x ~ one_of("a") let pic = draw(x) let v = p(x) row = { a: v, image: pic } output "out/s/index.jsonl" }')),
    );
    const shots = e.datasets.find((d) => d.dataset === 'shots')!;
    expect(shots.total).toMatchObject({ calls: 8, images: 12 });
    expect(shots.total!.models['painter']).toMatchObject({ calls: 4, images: 12 });
    expect(shots.total!.usd).toBeCloseTo(12 * 0.02, 12); // the chat model has no price: counted as $0
    expect(shots.unpriced).toEqual(['m']);
    expect(e.unpriced).toEqual(['m']);
  });

  it('takes --limit, a grid, and `for` items when they were counted', () => {
    const extra = `sim s { worlds 1 agents 1 steps 2 state x: f32 = 0.0 event hit { v: f32 } rule r { emit hit { v: x } } }
dataset grid: Plain { vary g in 1..7 vary x ~ one_of("a") row = { a: x } output "out/g.jsonl" }
dataset items: Plain { for h in s.hit each 2 let v = p("q") row = { a: v } output "out/i.jsonl" }`;
    const plan = planOf(SPEC('price { input: 1, output: 2 }', extra));
    const all = estimatePlan(plan);
    expect(all.datasets.map((d) => [d.dataset, d.rows])).toEqual([['text', 10], ['grid', 7], ['items', null]]);
    expect(all.uncounted).toEqual(['items']);
    expect(all.total.rows).toBe(17);
    const counted = estimatePlan(plan, { itemCounts: { items: 5 } });
    expect(counted.datasets[2]).toMatchObject({ rows: 10, total: { calls: 10 } });
    expect(counted.uncounted).toEqual([]);
    const limited = estimatePlan(plan, { limit: 3, datasets: ['text', 'items'] });
    expect(limited.datasets.map((d) => [d.dataset, d.rows])).toEqual([['text', 3], ['items', 3]]);
  });
});

describe('costOf', () => {
  it('is undefined without a price, and for images without an image price', () => {
    expect(costOf(undefined, { promptTokens: 1, completionTokens: 1, images: 0 })).toBeUndefined();
    expect(costOf({ input: 1 }, { promptTokens: 0, completionTokens: 0, images: 2 })).toBeUndefined();
    expect(costOf({ input: 1 }, { promptTokens: 1e6, completionTokens: 1e6, images: 0 })).toBe(1); // output unset: free
    expect(costOf({ input: 2, output: 4 }, { promptTokens: 1e6, completionTokens: 1e6, images: 0 }, { batch: true })).toBe(3);
  });
});

describe('formatUsd', () => {
  it('shows cents from $1 and two significant digits below', () => {
    expect([0, 0.0016, 0.044, 0.5, 0.999, 1.02825, 1234.5, 1e-9].map(formatUsd)).toEqual(['$0.00', '$0.0016', '$0.044', '$0.50', '$1.00', '$1.03', '$1,234.50', '$0.0000000010']);
  });
  it('never shows a positive amount as $0.00 and stays within rounding of the amount', () => {
    const rng = mulberry32(16);
    for (let i = 0; i < 2000; i++) {
      const usd = 10 ** (rng() * 15 - 9); // 1e-9 … 1e6
      const s = formatUsd(usd);
      expect(s).toMatch(/^\$[\d,]+\.\d+$/);
      const shown = Number(s.slice(1).replace(/,/g, ''));
      expect(shown).toBeGreaterThan(0);
      const unit = 10 ** -(s.split('.')[1]!.length);
      expect(Math.abs(shown - usd)).toBeLessThanOrEqual(unit / 2 + usd * 1e-12);
    }
  });
  it('countOf pluralises', () => {
    expect([countOf(1, 'row'), countOf(0, 'row'), countOf(5000, 'LLM call')]).toEqual(['1 row', '0 rows', '5,000 LLM calls']);
  });
});

describe('the inlay hint', () => {
  it('says "1 row · 1 LLM call", not "1 rows"', () => {
    const labels = hintsOf(openInEditor(SPEC('').replace('count 10', 'count 1'), path.join(tmp, `s${n++}.synth`))).map((h) => h.label);
    expect(labels).toContain(' 1 row · 1 LLM call (before retries)');
  });
});

describe('the editor on specs with errors (while typing)', () => {
  it('shows no NaN, negative or nameless figures', () => {
    const cases = [
      // a prompt without a model, one with an unknown model
      `model m { name "x" api_key env("K") }\nprompt p(x: string) -> string { user "{x}" }\ndataset d { count 5 vary x ~ one_of("a") let v = p(x) row = { a: v } }`,
      `prompt p(x: string) -> string { model nope user "{x}" }\ndataset d { count 5 vary x ~ one_of("a") let v = p(x) row = { a: v } }`,
      // a negative count, an infinite one, a `for` over nothing
      `model m { name "x" api_key env("K") }\nprompt p(x: string) -> image { model m user "{x}" images 3 }\ndataset d { count -5 vary x ~ one_of("a") let v = p(x) row = { a: v } }`,
      `dataset d { count 1e400 vary x ~ one_of("a") row = { a: x } }`,
      `dataset d { for c in nowhere let v = q(c) row = { a: v } }`,
    ];
    const ws = new Workspace({ debounceMs: 0 });
    const shown: string[] = [];
    for (const [i, text] of cases.entries()) {
      const uri = pathToFileURL(path.join(tmp, `broken${i}.synth`)).href;
      ws.open(uri, text, 1);
      const a = ws.analyze(uri)!;
      expect(a.diagnostics.some((d) => d.severity === 'error'), `case ${i} has errors`).toBe(true);
      for (const h of inlayHints(a, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } } })) shown.push(String(h.label));
      for (const d of a.source.ast.decls) if (d.kind !== 'Goal' && d.name.name) shown.push(hoverText(a, d.name.span.start)?.text ?? '');
    }
    expect(shown.filter((t) => /NaN|Infinity|∞|-\d|for \)|for ,/.test(t))).toEqual([]);
    expect(shown).toContain(' 0 rows · 0 LLM calls (before retries)');
    expect(shown.join('\n')).toContain('no price for a prompt without a model');
  });
});

describe('the cost of answered calls', () => {
  it('the manifest charges costOf of the tokens it reports', async () => {
    const server = await startFakeOpenAI({ deterministic: true, apiKey: 'k' });
    try {
      const spec = SPEC('price { input: 0.15, output: 0.6 } base_url env("BASE")').replace('count 10', 'count 20');
      const file = specFile(spec);
      const plan = planOfFile(file).plan;
      const s = await run(plan, { projectRoot: tmp, env: { BASE: server.url, KEY: 'k' }, datasets: ['text'], backoffBaseMs: 10 });
      expect(s.results[0]!.counts.written).toBe(20);
      const m = JSON.parse(readFileSync(s.manifests[0]!, 'utf8')) as { tokens: { prompt: number; completion: number }; cost_usd: number; counts: { calls: number } };
      const want = costOf(modelPrice(plan, 'm'), { promptTokens: m.tokens.prompt, completionTokens: m.tokens.completion, images: 0 })!;
      expect(want).toBeGreaterThan(0);
      // charged per call, each rounded to a micro-USD
      expect(Math.abs(m.cost_usd - want)).toBeLessThanOrEqual(m.counts.calls * 1e-6);
    } finally {
      await server.close();
    }
  });
});
