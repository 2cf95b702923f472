// Sampler arguments that are expressions of earlier `vary`s and the `for` item (#14): the distribution changes as
// written, per row, still deterministically; a parameter outside its distribution's domain for one row fails that
// row with a message (never a wrong value, never a crash); constants keep their plans.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { isConditional } from '../../compiler/plan/samplers.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { mergeShards } from '../../runtime/merge.js';
import { run } from '../../runtime/run/run-plan.js';

function project(spec: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-cond-'));
  writeFileSync(path.join(dir, 's.synth'), spec);
  const res = checkFile(path.join(dir, 's.synth'));
  expect(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return { dir, plan: buildPlan(res).plan };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

const PRICES = `goal "prices" { seed 17 }
enum Tier { basic, premium }
dataset items {
  count 3000
  vary tier ~ weighted { basic: 0.75, premium: 0.25 }
  vary price ~ normal(if_else(tier == premium, 500.0, 50.0), if_else(tier == premium, 40.0, 5.0))
  vary qty ~ randint(1, if_else(tier == premium, 3, 10))
  vary rush ~ bernoulli(if_else(tier == premium, 0.9, 0.1))
  vary pick ~ one_of(str(tier), "other")
  row = { price: price, qty: qty, rush: rush }
  keep tier, pick
  output "out/items.jsonl"
}
`;

describe('conditional sampling', () => {
  it('changes each distribution as written: means, spreads, ranges and probabilities follow the condition', async () => {
    const { dir, plan } = project(PRICES);
    const vary = plan.datasets['items']!.vary;
    expect(vary.map((v) => [v.name, isConditional(v.sampler)])).toEqual([['tier', false], ['price', true], ['qty', true], ['rush', true], ['pick', true]]);
    await run(plan, { projectRoot: dir });
    const rows = await readRows(path.join(dir, 'out', 'items.jsonl'), 'jsonl');
    expect(rows).toHaveLength(3000);
    const by = (t: string) => rows.filter((r) => r['tier'] === t);
    const [basic, premium] = [by('basic'), by('premium')];
    expect(premium.length / rows.length).toBeGreaterThan(0.22);
    expect(premium.length / rows.length).toBeLessThan(0.28);
    const price = (rs: typeof rows) => rs.map((r) => r['price'] as number);
    // 95% bands: mean ± 2·sd/√n
    expect(Math.abs(mean(price(premium)) - 500)).toBeLessThan((2.5 * 40) / Math.sqrt(premium.length));
    expect(Math.abs(mean(price(basic)) - 50)).toBeLessThan((2.5 * 5) / Math.sqrt(basic.length));
    expect(sd(price(premium))).toBeGreaterThan(36);
    expect(sd(price(premium))).toBeLessThan(44);
    expect(sd(price(basic))).toBeGreaterThan(4.5);
    expect(sd(price(basic))).toBeLessThan(5.5);
    expect(new Set(premium.map((r) => r['qty']))).toEqual(new Set([1, 2, 3]));
    expect(new Set(basic.map((r) => r['qty']))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(mean(premium.map((r) => (r['rush'] ? 1 : 0)))).toBeGreaterThan(0.86);
    expect(mean(basic.map((r) => (r['rush'] ? 1 : 0)))).toBeLessThan(0.14);
    // one_of(str(tier), "other"): the row's own tier or "other", half and half
    expect(rows.every((r) => r['pick'] === r['tier'] || r['pick'] === 'other')).toBe(true);
    expect(Math.abs(mean(rows.map((r) => (r['pick'] === 'other' ? 1 : 0))) - 0.5)).toBeLessThan(0.04);
    // the report compares declared and realised distributions where one is declared (tier), not for a
    // conditional one (pick: its declared distribution depends on the row)
    const { html } = await buildReport(path.join(dir, 'out'));
    expect(html).toContain('vary tier: declared vs realised');
    expect(html).not.toContain('vary pick: declared');
  });

  it('is deterministic per row: a second run and a sharded run merge to the same bytes', async () => {
    const a = project(PRICES);
    await run(a.plan, { projectRoot: a.dir, outDir: path.join(a.dir, 'one') });
    await run(a.plan, { projectRoot: a.dir, outDir: path.join(a.dir, 'two'), fresh: true });
    const one = readFileSync(path.join(a.dir, 'one', 'items.jsonl'), 'utf8');
    expect(readFileSync(path.join(a.dir, 'two', 'items.jsonl'), 'utf8')).toBe(one);
    const dirs = [0, 1].map((i) => path.join(a.dir, `s${i}`));
    for (let i = 0; i < 2; i++) await run(a.plan, { projectRoot: a.dir, outDir: dirs[i], shard: { index: i, count: 2 } });
    const [m] = await mergeShards(dirs, path.join(a.dir, 'merged'));
    expect(readFileSync(m!.output, 'utf8')).toBe(one);
  });

  it('a parameter outside the domain for a row fails that row with the reason (a hole, never a wrong value); the others are made', async () => {
    const { dir, plan } = project(`goal "g" { seed 2 }
dataset d {
  count 40
  vary spread ~ uniform(-1.0, 1.0)
  vary x ~ normal(0.0, spread)
  row = { x: x, spread: spread }
  output "out/d.jsonl"
}
`);
    const s = await run(plan, { projectRoot: dir });
    const r = s.results[0]!;
    const rows = await readRows(path.join(dir, 'out', 'd.jsonl'), 'jsonl');
    expect(rows.every((x) => (x['spread'] as number) > 0)).toBe(true);
    expect(r.counts.written).toBe(rows.length);
    expect(r.counts.failed).toBeGreaterThan(10);
    expect(r.counts.written + r.counts.failed).toBe(40);
    // the run says so: incomplete, with the cause — and a rerun fails the same rows the same way
    expect(r.status).toBe('incomplete');
    expect(r.causes[0]!.example).toMatch(/normal\(mean, sd\) needs sd > 0; this row has sd = -0\.\d+/);
    const again = (await run(plan, { projectRoot: dir })).results[0]!;
    expect(again.counts.failed).toBe(r.counts.failed);
    expect(readFileSync(path.join(dir, 'out', 'd.jsonl'), 'utf8').trim().split('\n')).toHaveLength(rows.length);
  });

  it('constant arguments keep the plan of constants (golden plans unchanged): no expression recorded', () => {
    const { plan } = project(`dataset d {\n  count 1\n  vary x ~ normal(-1.5, 2 * 3)\n  vary c ~ one_of("a", "b")\n  row = { x: x, c: c }\n  output "out/d.jsonl"\n}\n`);
    expect(plan.datasets['d']!.vary.map((v) => v.sampler)).toEqual([
      { kind: 'normal', mean: -1.5, sd: 6 },
      { kind: 'choice', values: ['a', 'b'], weights: [0.5, 0.5] },
    ]);
  });
});
