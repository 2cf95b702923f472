// Related tables: the shop example (customers → 1 to 5 orders each, of products from a seed CSV) run as a user
// runs it, through the CLI: every order's customer exists, every customer has 1 to 5 orders, every sku is a
// product; `--dataset orders` makes the customers it reads; `--shard i/n` + `synth merge` give one run's bytes;
// and the same holds for a relational spec whose parent is a `count` dataset with checks and dedup (the shards'
// margin rows must not leave orphans), in JSONL, CSV and Parquet.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { mergeShards } from '../../runtime/merge.js';
import { run } from '../../runtime/run/run-plan.js';
import { synth } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { mulberry32 } from '../support/prng.js';

function copyShop(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-shop-'));
  cpSync(path.join(ROOT, 'examples', 'shop'), dir, { recursive: true, filter: (src) => !/[\\/](out|\.synth)$/.test(src) });
  return dir;
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the shop example: customers → orders', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyShop();
    const r = synth(['run', path.join(dir, 'shop.synth')]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('every order points at a customer, and each customer has 1 to 5 orders', () => {
    const customers = lines(path.join(dir, 'out', 'customers.jsonl'));
    const orders = lines(path.join(dir, 'out', 'orders.jsonl'));
    expect(customers).toHaveLength(200);
    const ids = new Set(customers.map((c) => c['id']));
    expect(ids.size).toBe(200); // uuid() keys are unique
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const perCustomer = new Map<unknown, number>();
    for (const o of orders) {
      expect(ids.has(o['customer_id']), `order ${String(o['id'])} names customer ${String(o['customer_id'])}`).toBe(true);
      perCustomer.set(o['customer_id'], (perCustomer.get(o['customer_id']) ?? 0) + 1);
    }
    // every customer has its orders (1 to 5), and the draw really varies
    expect(perCustomer.size).toBe(200);
    const counts = [...perCustomer.values()];
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBe(5);
    expect(new Set(orders.map((o) => o['id'])).size).toBe(orders.length);
    // faker names and emails; an order is placed on or after its customer signed up (a draw bounded by the parent)
    const byId = new Map(customers.map((c) => [c['id'], c]));
    for (const c of customers) {
      expect(c['email']).toMatch(/^[^@\s]+@[^@\s]+\.\w+$/);
      expect(c['name']).toMatch(/\w+ \w+/);
      expect(c['signed_up']).toMatch(/^202[34]-\d\d-\d\d$/);
    }
    for (const o of orders) {
      expect(o['placed'] as string >= (byId.get(o['customer_id'])!['signed_up'] as string)).toBe(true);
      expect(o['placed'] as string <= '2025-06-30').toBe(true);
    }
    // orders follow their customers, in the customers' order
    const firstOrder = [...new Map(orders.map((o, i) => [o['customer_id'], i])).keys()];
    expect([...new Set(orders.map((o) => o['customer_id']))]).toEqual(customers.map((c) => c['id']));
    expect(firstOrder.length).toBe(200);
  });

  it('every sku is a product of the seed table, drawn by popularity', () => {
    const products = readFileSync(path.join(dir, 'seed', 'products.csv'), 'utf8');
    const orders = lines(path.join(dir, 'out', 'orders.jsonl'));
    const skus = new Map<string, number>();
    for (const o of orders) skus.set(o['sku'] as string, (skus.get(o['sku'] as string) ?? 0) + 1);
    for (const sku of skus.keys()) expect(products).toContain(`${sku},`);
    // MS-202 (popularity 14) is drawn far more often than MN-304 (3)
    expect(skus.get('MS-202')!).toBeGreaterThan(2 * (skus.get('MN-304') ?? 0));
    // the quoted cell with a comma and doubled quotes was read as one value
    for (const o of orders.filter((x) => x['sku'] === 'MN-304')) expect(o['unit_price']).toBe(179);
  });

  it('--dataset orders makes the customers it reads first (nothing again when they are complete)', () => {
    const d = copyShop();
    const r = synth(['run', path.join(d, 'shop.synth'), '--dataset', 'orders']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/customers: 200 rows/);
    expect(readFileSync(path.join(d, 'out', 'orders.jsonl'), 'utf8')).toBe(readFileSync(path.join(dir, 'out', 'orders.jsonl'), 'utf8'));
    const again = synth(['run', path.join(d, 'shop.synth'), '--dataset', 'orders']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/customers: 200 rows .*200 reused/);
  });

  it('--shard i/3 and synth merge give one run\u2019s bytes', () => {
    const d = copyShop();
    const spec = path.join(d, 'shop.synth');
    const shards = [0, 1, 2].map((i) => {
      const out = path.join(d, `shard${i}`);
      const r = synth(['run', spec, '--shard', `${i}/3`, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      return out;
    });
    const m = synth(['merge', ...shards, '--out', path.join(d, 'merged')]);
    expect(m.code, m.stderr).toBe(0);
    for (const f of ['customers.jsonl', 'orders.jsonl']) {
      expect(readFileSync(path.join(d, 'merged', f), 'utf8'), f).toBe(readFileSync(path.join(dir, 'out', f), 'utf8'));
    }
    // merging the orders without the customers' shards is refused: their order comes from the merged customers
    rmSync(path.join(d, 'merged'), { recursive: true });
    for (const s of shards) for (const f of readdirSync(s)) if (f.startsWith('customers')) rmSync(path.join(s, f));
    const alone = synth(['merge', ...shards, '--out', path.join(d, 'merged')]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/SYN5059: dataset 'orders' reads 'customers': merge the shards of both/);
  });
});

// Parents from a `count` dataset with a check and dedup: a shard makes more parents than merge keeps (its margin,
// duplicates across shards), and the children of those must not survive the merge.
const SPEC = (fmt: string) => `goal "parents and children" { seed 5 }
struct Parent { id: int  label: string  x: float }
struct Child { parent: int  label: string  n: int }
dataset parents: Parent {
  count 150
  vary id ~ seq()
  vary n ~ randint(1, 400)
  vary x ~ normal(0.0, 1.0)
  row = { id: id, label: "p" + str(n), x: x }
  check x > -1.0
  unique row.label
  output "out/parents.${fmt}"
}
dataset children: Child {
  for p in parents each one_of(0, 1, 3)
  vary n ~ randint(1, 1000)
  row = { parent: p.id, label: p.label, n: n }
  output "out/children.${fmt}"
}
`;

describe('children of a `count` dataset across shards', () => {
  for (const fmt of ['jsonl', 'csv', 'parquet']) {
    it(`merges to one run's bytes with no orphans (${fmt}, 2 and 4 shards)`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'synth-children-'));
      writeFileSync(path.join(dir, 's.synth'), SPEC(fmt));
      const res = checkFile(path.join(dir, 's.synth'));
      expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const plan = buildPlan(res).plan;
      const whole = await run(plan, { projectRoot: dir, outDir: path.join(dir, 'whole') });
      expect(whole.incomplete).toEqual([]);
      const parents = await readRows(path.join(dir, 'whole', `parents.${fmt}`), fmt as 'jsonl');
      const children = await readRows(path.join(dir, 'whole', `children.${fmt}`), fmt as 'jsonl');
      expect(parents).toHaveLength(150);
      const ids = new Set(parents.map((p) => p['id']));
      for (const c of children) expect(ids.has(c['parent'])).toBe(true);
      // seq() keys: unique and increasing in output order
      const idList = parents.map((p) => p['id'] as number);
      expect(idList).toEqual([...idList].sort((a, b) => a - b));
      for (const n of [2, 4]) {
        const dirs: string[] = [];
        let shardParents = 0;
        for (let i = 0; i < n; i++) {
          const d = path.join(dir, `n${n}-s${i}`);
          dirs.push(d);
          const s = await run(plan, { projectRoot: dir, outDir: d, shard: { index: i, count: n } });
          expect(s.incomplete).toEqual([]);
          shardParents += s.results.find((r) => r.name === 'parents')!.counts.written;
        }
        // the shards made parents merge drops (their margin, duplicates across shards): their children must go too
        expect(shardParents).toBeGreaterThan(150);
        const merged = await mergeShards(dirs, path.join(dir, `merged${n}`));
        for (const r of merged) expect(readFileSync(r.output), `${r.dataset} (${n} shards)`).toEqual(readFileSync(path.join(dir, 'whole', path.basename(r.output))));
      }
    });
  }

  it('children of every parent count are drawn from one_of(0, 1, 3): some parents have none', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-children-'));
    writeFileSync(path.join(dir, 's.synth'), SPEC('jsonl'));
    const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
    const s = await run(plan, { projectRoot: dir });
    const children = lines(path.join(dir, 'out', 'children.jsonl'));
    const per = new Map<unknown, number>();
    for (const c of children) per.set(c['parent'], (per.get(c['parent']) ?? 0) + 1);
    expect(new Set(per.values())).toEqual(new Set([1, 3]));
    expect(per.size).toBeLessThan(150); // parents that drew 0 children
    const r = s.results.find((x) => x.name === 'children')!;
    expect(r.status).toBe('complete');
    expect(r.unit).toBe('items');
    expect(r.counts.written).toBe(children.length);
  });
});

describe('a dataset that reads a dataset with rows missing', () => {
  it('is not made, with SYN5057, and exit 3', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-blocked-'));
    // a check that only 1 in 10 rows passes, within the 10 × count row indices a count dataset may draw: short
    writeFileSync(
      path.join(dir, 's.synth'),
      `struct P { n: int }
dataset parents: P {
  count 200
  vary n ~ randint(1, 1000)
  row = { n: n }
  check n > 999
  output "out/parents.jsonl"
}
dataset kids: P {
  for p in parents
  row = { n: p.n }
  output "out/kids.jsonl"
}
`,
    );
    const r = synth(['run', path.join(dir, 's.synth')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/SYN5057: dataset 'kids' reads 'parents', which has rows missing, so 'kids' was not made/);
    expect(readdirSync(path.join(dir, 'out')).filter((f) => f.startsWith('kids'))).toEqual([]);
  });
});

// Seeded: drawing from a table by a weight column follows the weights (a row of weight 0 is never drawn).
describe('weighted(TABLE, column)', () => {
  it('draws rows in proportion to their weights', async () => {
    const rand = mulberry32(0x5eed);
    const weights = Array.from({ length: 6 }, (_, i) => (i === 2 ? 0 : Math.floor(rand() * 9) + 1));
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-weighted-'));
    writeFileSync(path.join(dir, 't.csv'), 'name,w\n' + weights.map((w, i) => `r${i},${w}`).join('\n') + '\n');
    writeFileSync(
      path.join(dir, 's.synth'),
      `struct R { name: string  w: int }
source t: R = table("t.csv")
dataset d {
  count 6000
  vary r ~ weighted(t, w)
  row = { name: r.name }
  output "out/d.jsonl"
}
`,
    );
    const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
    await run(plan, { projectRoot: dir });
    const got = new Map<string, number>();
    for (const r of lines(path.join(dir, 'out', 'd.jsonl'))) got.set(r['name'] as string, (got.get(r['name'] as string) ?? 0) + 1);
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => {
      const share = (got.get(`r${i}`) ?? 0) / 6000;
      if (w === 0) expect(got.get(`r${i}`)).toBeUndefined();
      else expect(Math.abs(share - w / total)).toBeLessThan(0.03);
    });
  });
});
