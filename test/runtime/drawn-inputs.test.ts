// A row drawn from a table or from another dataset (`one_of(TABLE)`, `weighted(TABLE, col)`, `one_of(DATASET)`)
// has that pool as an input, like a `for` row has its item: a changed cell, or an upstream dataset remade with
// other values, remakes the rows that draw from it; an unchanged pool reuses every row (adv14 #1: drawn rows kept
// the old price, exit 0).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function runSpec(dir: string) {
  const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
  const r = await run(plan, { projectRoot: dir });
  return Object.fromEntries(r.results.map((d) => [d.name, d]));
}

describe('rows drawn from a table', () => {
  const spec = `struct Product { sku: string, price: float, w: float }
struct Order { sku: string, price: float }
source products: Product = table("products.csv")
dataset drawn: Order {
  count 6
  vary p ~ one_of(products)
  row = { sku: p.sku, price: p.price }
  output "out/drawn.jsonl"
}
dataset weighed: Order {
  count 6
  vary p ~ weighted(products, w)
  row = { sku: p.sku, price: p.price }
  output "out/weighed.jsonl"
}
dataset iterated: Order {
  for p in products
  row = { sku: p.sku, price: p.price }
  output "out/iterated.jsonl"
}
`;
  it('are remade after a cell changes, and all reused when nothing changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-drawn-'));
    writeFileSync(path.join(dir, 's.synth'), spec);
    writeFileSync(path.join(dir, 'products.csv'), 'sku,price,w\nA,1.0,1\nB,5.0,1\n');
    await runSpec(dir);
    // unchanged: everything reused
    let r = await runSpec(dir);
    for (const n of ['drawn', 'weighed', 'iterated']) {
      expect(r[n]!.counts.reused, n).toBe(r[n]!.counts.written);
      expect(r[n]!.counts.remade, n).toBe(0);
    }
    // A's price changes: every row shows the new price, and the run says why rows were made again
    writeFileSync(path.join(dir, 'products.csv'), 'sku,price,w\nA,2.0,1\nB,5.0,1\n');
    r = await runSpec(dir);
    for (const n of ['drawn', 'weighed']) {
      const rows = lines(path.join(dir, 'out', `${n}.jsonl`));
      expect(rows.some((x) => x['sku'] === 'A'), n).toBe(true);
      for (const x of rows) expect(x['price'], n).toBe(x['sku'] === 'A' ? 2 : 5);
      expect(r[n]!.remadeWhy['a table or dataset it draws rows from changed'], n).toBe(6);
    }
    expect(lines(path.join(dir, 'out', 'iterated.jsonl')).map((x) => x['price'])).toEqual([2, 5]);
  });
});

describe('rows drawn from a dataset', () => {
  it('are remade when the upstream dataset is remade with other values', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-drawn-ds-'));
    const spec = (tier: string) => `struct C { id: int, tier: string }
struct O { cid: int, tier: string }
dataset cs: C {
  count 3
  vary id ~ seq()
  vary tier ~ one_of(${JSON.stringify(tier)})
  row = { id: id, tier: tier }
  output "out/cs.jsonl"
}
dataset drawn: O {
  count 4
  vary c ~ one_of(cs)
  row = { cid: c.id, tier: c.tier }
  output "out/drawn.jsonl"
}
`;
    writeFileSync(path.join(dir, 's.synth'), spec('gold'));
    await runSpec(dir);
    let r = await runSpec(dir);
    expect(r['drawn']!.counts.reused).toBe(4);
    writeFileSync(path.join(dir, 's.synth'), spec('GOLD'));
    r = await runSpec(dir);
    expect(r['drawn']!.counts.remade).toBe(4);
    expect(lines(path.join(dir, 'out', 'drawn.jsonl')).map((x) => x['tier'])).toEqual(['GOLD', 'GOLD', 'GOLD', 'GOLD']);
  });
});
