// Reading rows for the report, streaming: JSONL and CSV chunk by chunk, Parquet row group by row group; typed
// by the declared columns; an unfinished last line skipped with a note; a malformed line a coded error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { SynthError } from '../../base/diagnostics.js';
import { csvCell } from '../../runtime/dataset/csv.js';
import { declaredColumns } from '../../runtime/report/declared-columns.js';
import { streamRows, type Format, type Row } from '../../runtime/report/row-stream.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'synth-rows-'));

async function all(file: string, format: Format, declared?: ReturnType<typeof declaredColumns>): Promise<{ rows: Row[]; notes: string[] }> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for await (const batch of streamRows(file, format, { dataset: 'd', ...(declared ? { declared } : {}), onNote: (n) => notes.push(n) })) rows.push(...batch);
  return { rows, notes };
}

describe('streamRows', () => {
  it('JSONL across chunk boundaries (lines longer than a chunk included)', async () => {
    const file = path.join(tmp(), 'd.jsonl');
    const rows = Array.from({ length: 3000 }, (_, i) => ({ i, text: 'é😀'.repeat(i % 500 === 0 ? 700_000 : 3) }));
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const got = await all(file, 'jsonl');
    expect(got.rows.length).toBe(3000);
    expect(got.rows.every((r, i) => r['i'] === i && r['text'] === rows[i]!.text)).toBe(true);
    expect(got.notes).toEqual([]);
  });

  it('skips an unfinished last line with a note, and names the line of a malformed one', async () => {
    const dir = tmp();
    const torn = path.join(dir, 'torn.jsonl');
    writeFileSync(torn, '{"a":1}\n{"a":2}\n{"a":3, "b":"half');
    const got = await all(torn, 'jsonl');
    expect(got.rows).toEqual([{ a: 1 }, { a: 2 }]);
    expect(got.notes.join()).toMatch(/line 3 .*unfinished/);
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"a":1}\n\n{"a":2}\nnot json\n{"a":3}\n');
    const err = await all(bad, 'jsonl').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynthError);
    expect((err as SynthError).code).toBe('SYN5203');
    expect((err as SynthError).message).toMatch(/bad\.jsonl' cannot be read at line 4: not JSON/);
    const arr = path.join(dir, 'arr.jsonl');
    writeFileSync(arr, '[1,2]\n');
    await expect(all(arr, 'jsonl')).rejects.toThrow(/line 1: a row must be a JSON object/);
  });

  it('CSV: quoted line breaks, declared types (a string column keeps "007"), __proto__ as a column name', async () => {
    const file = path.join(tmp(), 'd.csv');
    const rows = [
      { id: '007', n: 1.5, ok: true, note: 'two\nlines, "quoted"', __proto__x: 'p' },
      { id: '12', n: -2, ok: false, note: '', __proto__x: 'q' },
    ];
    const header = ['id', 'n', 'ok', 'note', '__proto__'];
    writeFileSync(file, header.join(',') + '\n' + rows.map((r) => [r.id, r.n, r.ok, r.note, r.__proto__x].map((v) => csvCell(v)).join(',')).join('\n') + '\n');
    const declared = declaredColumns({ type: 'object', properties: { id: { type: 'string' }, n: { type: 'number' }, ok: { type: 'boolean' }, note: { type: ['string', 'null'] } } });
    const got = await all(file, 'csv', declared);
    expect(got.rows.map((r) => ({ ...r }))).toEqual([
      { id: '007', n: 1.5, ok: true, note: 'two\nlines, "quoted"', ['__proto__']: 'p' },
      { id: '12', n: -2, ok: false, note: null, ['__proto__']: 'q' },
    ]);
    expect(Object.getPrototypeOf(got.rows[0])).toBeNull();
    expect(Object.prototype.hasOwnProperty.call(got.rows[0], '__proto__')).toBe(true);
    // undeclared: numbers and booleans inferred
    expect((await all(file, 'csv')).rows[0]!['id']).toBe(7);
  });

  it('CSV: a record cut off inside quotes is skipped with a note; too many cells is an error', async () => {
    const dir = tmp();
    const torn = path.join(dir, 't.csv');
    writeFileSync(torn, 'a,b\n1,2\n3,"unfinished');
    const got = await all(torn, 'csv');
    expect(got.rows.map((r) => ({ ...r }))).toEqual([{ a: 1, b: 2 }]);
    expect(got.notes.join()).toMatch(/line 3 .*unfinished/);
    const wide = path.join(dir, 'w.csv');
    writeFileSync(wide, 'a,b\n1,2\n1,2,3\n');
    await expect(all(wide, 'csv')).rejects.toThrow(/line 3: 3 cells for 2 columns/);
  });

  it('Parquet row group by row group, int64 as numbers', async () => {
    const file = path.join(tmp(), 'd.parquet');
    const n = 2500;
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'i', data: Array.from({ length: n }, (_, i) => BigInt(i)), type: 'INT64' },
        { name: 's', data: Array.from({ length: n }, (_, i) => `s${i}`), type: 'STRING' },
      ],
      rowGroupSize: 1000,
    } as Parameters<typeof parquetWriteBuffer>[0]);
    writeFileSync(file, new Uint8Array(buf));
    const got = await all(file, 'parquet');
    expect(got.rows.length).toBe(n);
    expect(got.rows.every((r, i) => r['i'] === i && r['s'] === `s${i}`)).toBe(true);
  });

  it('a missing or unreadable file is SYN5203, not an exception', async () => {
    const dir = tmp();
    for (const f of ['jsonl', 'csv', 'parquet'] as const) {
      const err = await all(path.join(dir, `nope.${f}`), f).catch((e: unknown) => e);
      expect(err, f).toBeInstanceOf(SynthError);
      expect((err as SynthError).code).toBe('SYN5203');
    }
    const notParquet = path.join(dir, 'x.parquet');
    writeFileSync(notParquet, 'this is not parquet');
    await expect(all(notParquet, 'parquet')).rejects.toThrow(/SYN5203|cannot be read/);
  });
});
