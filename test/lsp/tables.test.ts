// The language server on tables and datasets that read datasets, through the real server: hover on a table
// source shows its file's row count and column types (read from the file, CSV and Parquet), completion offers a
// table's columns after `p.` and as a weight column, tables and datasets after `for x in` and in `one_of(`, and
// go-to-definition leads from `c.id` (a row of another dataset) to the struct field.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, Hover, Location } from 'vscode-languageserver-protocol';
import { ROOT } from '../support/examples.js';
import { cursor, LspClient, uriOf } from './support/client.js';

let client: LspClient;
let dir: string;
let shop: string;
let n = 0;

beforeAll(async () => {
  client = await LspClient.start();
  dir = mkdtempSync(path.join(tmpdir(), 'synth-lsp-tables-'));
  cpSync(path.join(ROOT, 'examples', 'shop'), dir, { recursive: true, filter: (src) => !/[\\/](out|\.synth)$/.test(src) });
  shop = readFileSync(path.join(dir, 'shop.synth'), 'utf8');
});
afterAll(async () => {
  await client?.stop();
});

/** The shop example with `<|>` put where `marker` is (the marker is replaced, or inserted after `after`). */
async function open(withMarker: string): Promise<{ uri: string; position: { line: number; character: number } }> {
  const c = cursor(withMarker);
  const uri = uriOf(path.join(dir, `__fixture_${n++}.synth`));
  await client.open(uri, c.text);
  return { uri, position: c.position };
}

const at = (find: string, replace: string) => {
  if (!shop.includes(find)) throw new Error(`not in shop: ${find}`);
  return shop.replace(find, replace);
};

async function hover(text: string): Promise<string> {
  const { uri, position } = await open(text);
  const r = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
  return r ? (r.contents as { value: string }).value : '';
}

async function complete(text: string): Promise<string[]> {
  const { uri, position } = await open(text);
  const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position });
  return r.items.map((i) => i.label);
}

describe('tables in the editor', () => {
  it('hover on a table source: its rows and the types of its columns', async () => {
    const h = await hover(at('source products: Product', 'source prod<|>ucts: Product'));
    expect(h).toContain('source products: Product = table("seed/products.csv")');
    expect(h).toContain('**10 rows** in `seed/products.csv`');
    // a declared column is its field's type: the enum, not the `string` its values look like
    expect(h).toContain('`sku`: string, `name`: string, `category`: Category, `price`: float, `popularity`: int');
    // the same where the table is used
    expect(await hover(at('weighted(products, popularity)', 'weighted(prod<|>ucts, popularity)'))).toContain('**10 rows**');
  });

  it('hover on a table with date, datetime and enum columns shows those types (adv14 item 8)', async () => {
    writeFileSync(path.join(dir, 'seed', 'events.csv'), 'name,day,at,kind,extra\na,2024-02-29,2024-03-05T10:30:00Z,open,2024-01-01\n');
    const spec = 'enum Kind { open, close }\nstruct E { name: string, day: date, at: datetime, kind: Kind }\nsource ev<|>ents: E = table("seed/events.csv")\n';
    const h = await hover(spec);
    expect(h).toContain('`name`: string, `day`: date, `at`: datetime, `kind`: Kind');
    // a column the struct lacks still shows what its values look like
    expect(h).toMatch(/`extra`: \w+ \(not in E\)/);
  });

  it('hover follows the file: a Parquet table, a column the struct lacks, a missing file', async () => {
    const columnData = [
      { name: 'sku', type: 'STRING', data: ['AB-001', 'AB-002', 'AB-003'] },
      { name: 'price', type: 'DOUBLE', data: [1.5, 2, 3] },
      { name: 'stock', type: 'INT64', data: [1n, 2n, 3n] },
    ];
    writeFileSync(path.join(dir, 'seed', 'stock.parquet'), new Uint8Array(parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0])));
    const pq = await hover(at('source products: Product = table("seed/products.csv")', 'source prod<|>ucts: Product = table("seed/stock.parquet")'));
    expect(pq).toContain('**3 rows** in `seed/stock.parquet`');
    expect(pq).toContain('`stock`: int (not in Product)');
    expect(pq).toMatch(/not in the file: `name`, `category`, `popularity`/);
    const missing = await hover(at('source products: Product = table("seed/products.csv")', 'source prod<|>ucts: Product = table("seed/nope.csv")'));
    expect(missing).toContain('`seed/nope.csv`: no such file');
    // outside the project, by `..` or through a symlink: not read (as a run refuses it), so nothing of it is shown
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'synth-lsp-elsewhere-'));
    writeFileSync(path.join(elsewhere, 'secret.csv'), 'password,token\nhunter2,abc\n');
    symlinkSync(path.join(elsewhere, 'secret.csv'), path.join(dir, 'seed', 'link.csv'));
    for (const p of [path.relative(dir, path.join(elsewhere, 'secret.csv')), 'seed/link.csv']) {
      const h = await hover(at('source products: Product = table("seed/products.csv")', `source prod<|>ucts: Product = table(${JSON.stringify(p)})`));
      expect(h).toContain('outside the project folder');
      expect(h).not.toMatch(/password|token|rows\*\*/);
    }
  });

  it('completion: a table row\u2019s columns, weight columns, tables and datasets to iterate or draw from', async () => {
    expect(await complete(at('sku: product.sku', 'sku: product.<|>'))).toEqual(expect.arrayContaining(['sku', 'name', 'category', 'price', 'popularity']));
    expect(await complete(at('weighted(products, popularity)', 'weighted(products, <|>)'))).toEqual(['price', 'popularity']);
    const iter = await complete(at('for c in customers', 'for c in <|>'));
    expect(iter).toEqual(expect.arrayContaining(['products', 'customers']));
    expect(iter).not.toContain('orders');
    expect(await complete(at('vary product ~ weighted(products', 'vary product ~ one_of(<|>'))).toEqual(expect.arrayContaining(['products', 'customers']));
    expect(await complete(at('customer_id: c.id', 'customer_id: c.<|>'))).toEqual(expect.arrayContaining(['id', 'name', 'email', 'tier', 'city']));
  });

  it('go to definition: c.id leads to the field of the struct the other dataset writes', async () => {
    const { uri, position } = await open(at('customer_id: c.id', 'customer_id: c.i<|>d'));
    const defs = await client.request<Location[]>('textDocument/definition', { textDocument: { uri }, position });
    const line = shop.slice(0, shop.indexOf('id: string  @unique\n  name: string')).split('\n').length - 1;
    expect(defs[0]!.range.start.line).toBe(line);
    // and `customers` to the dataset
    const d2 = await open(at('for c in customers', 'for c in custo<|>mers'));
    const defs2 = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: d2.uri }, position: d2.position });
    expect(defs2[0]!.range.start.line).toBe(shop.slice(0, shop.indexOf('dataset customers')).split('\n').length - 1);
  });

  it('a FIFO named as a table: hover says it is not a regular file, and the server keeps answering', async (ctx) => {
    const fifo = path.join(dir, 'seed', 'fifo.csv');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      ctx.skip('mkfifo is not available here');
    }
    // opening a FIFO for reading without a writer blocked the server's event loop: no answer to anything after
    const h = await hover(at('table("seed/products.csv")', 'table("seed/fifo.csv")').replace('source products: Product', 'source prod<|>ucts: Product'));
    expect(h).toContain('`seed/fifo.csv`: not a regular file');
    expect(await hover(at('source products: Product', 'source prod<|>ucts: Product'))).toContain('**10 rows**');
  });
});
