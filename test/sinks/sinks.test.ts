import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynthError } from '../../grammar/diagnostics.js';
import { parseCsvRecord } from '../../runtime/sinks/csv.js';
import { openSink } from '../../runtime/sinks/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'synth-sinks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (i: number) => ({ i, name: `row ${i}`, score: i / 7, ok: i % 2 === 0, tags: ['a', String(i)], note: i % 3 ? null : 'comma, "quote"\nnewline' });

function csvRows(text: string): string[][] {
  const out: string[][] = [];
  let at = 0;
  for (;;) {
    const r = parseCsvRecord(text, at);
    if (!r) break;
    out.push(r.fields);
    at = r.end;
  }
  return out;
}

describe('JSONL sink', () => {
  it('appends whole rows and resumes where it left off', async () => {
    const f = path.join(dir, 'a', 'out.jsonl');
    const s1 = openSink(f);
    expect(s1.format).toBe('jsonl');
    for (let i = 0; i < 10; i++) s1.write(row(i));
    s1.close();
    const s2 = openSink(f);
    expect(s2.rows).toBe(10);
    expect(s2.resumedRows).toBe(10);
    for (let i = 10; i < 15; i++) s2.write(row(i));
    await s2.finish();
    const lines = readFileSync(f, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(Array.from({ length: 15 }, (_, i) => row(i)));
    expect(existsSync(f + '.journal')).toBe(false);
  });

  it('truncates a torn last line on reopen', () => {
    const f = path.join(dir, 'torn.jsonl');
    const s = openSink(f, { syncEvery: 4 });
    for (let i = 0; i < 6; i++) s.write(row(i));
    s.close();
    appendFileSync(f, '{"i":6,"name":"ro');
    const s2 = openSink(f);
    expect(s2.rows).toBe(6);
    s2.write(row(6));
    s2.close();
    expect(readFileSync(f, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l).i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('honours the caller journal (truncateTo) and fresh', () => {
    const f = path.join(dir, 'cut.jsonl');
    const s = openSink(f);
    const ends = [0, 1, 2, 3].map((i) => s.write(row(i)));
    s.close();
    const s2 = openSink(f, { truncateTo: ends[1] });
    expect(s2.rows).toBe(2);
    s2.close();
    expect(readFileSync(f, 'utf8').trimEnd().split('\n')).toHaveLength(2);
    const s3 = openSink(f, { fresh: true });
    expect(s3.rows).toBe(0);
    s3.close();
    expect(readFileSync(f, 'utf8')).toBe('');
  });

  it('survives kill -9 while writing: every line whole, rows counted, writing continues', async () => {
    const f = path.join(dir, 'killed.jsonl');
    const script = path.join(dir, 'writer.mts');
    writeFileSync(
      script,
      `import { openSink } from ${JSON.stringify(path.resolve(here, '../../runtime/sinks/index.ts'))};
       const s = openSink(${JSON.stringify(f)}, { syncEvery: 50 });
       let i = s.rows;
       process.stdout.write('ready\\n');
       for (;;) { s.write({ i, pad: 'x'.repeat(200 + (i % 50)) }); i++; }`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(here, '../..') });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const s = openSink(f);
    const n = s.rows;
    expect(n).toBeGreaterThan(10);
    s.write({ i: n, pad: 'after' });
    s.close();
    const lines = readFileSync(f, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const ids = lines.map((l) => (JSON.parse(l) as { i: number }).i);
    expect(ids).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
  });
});

describe('CSV sink', () => {
  it('quotes what needs quoting, keeps the header, resumes, and cuts a torn record', () => {
    const f = path.join(dir, 'out.csv');
    const s = openSink(f, { columns: ['i', 'name', 'note', 'tags'] });
    for (let i = 0; i < 4; i++) {
      const { i: n, name, note, tags } = row(i);
      s.write({ i: n, name, note, tags });
    }
    s.close();
    // a torn record whose quoted field spans a newline
    appendFileSync(f, '4,row 4,"half\nopen');
    const s2 = openSink(f);
    expect(s2.rows).toBe(4);
    s2.write({ i: 4, name: 'row 4', note: 'x', tags: [] });
    s2.close();
    const recs = csvRows(readFileSync(f, 'utf8'));
    expect(recs[0]).toEqual(['i', 'name', 'note', 'tags']);
    expect(recs).toHaveLength(6);
    expect(recs[1]).toEqual(['0', 'row 0', 'comma, "quote"\nnewline', '["a","0"]']);
    expect(recs[2]![2]).toBe('');
    expect(recs[5]).toEqual(['4', 'row 4', 'x', '[]']);
  });

  it('refuses rows with unknown columns and a header that differs from the declared columns', () => {
    const f = path.join(dir, 'strict.csv');
    const s = openSink(f);
    s.write({ a: 1, b: 2 });
    expect(() => s.write({ a: 1, c: 3 })).toThrow(SynthError);
    s.close();
    expect(() => openSink(f, { columns: ['a', 'c'] })).toThrow(/SYN5005|has columns a, b/);
    expect(openSink(f, { columns: ['a', 'b'] }).rows).toBe(1);
  });
});

describe('Parquet sink', () => {
  it('stages rows, resumes, and writes a Parquet file that reads back', async () => {
    const f = path.join(dir, 'out.parquet');
    const s = openSink(f);
    const N = 25_000;
    for (let i = 0; i < 12_000; i++) s.write(row(i));
    s.close();
    expect(existsSync(f)).toBe(false);
    const s2 = openSink(f);
    expect(s2.rows).toBe(12_000);
    for (let i = 12_000; i < N; i++) s2.write(row(i));
    await s2.finish();
    expect(existsSync(f + '.staging.jsonl')).toBe(false);
    const back = (await parquetReadObjects({ file: await asyncBufferFromFile(f) })) as Array<Record<string, unknown>>;
    expect(back).toHaveLength(N);
    for (const i of [0, 1, 3, 9_999, 10_000, 24_999]) {
      const want = row(i);
      const got = back[i]!;
      expect(Number(got['i'])).toBe(want.i);
      expect(got['name']).toBe(want.name);
      expect(got['score']).toBeCloseTo(want.score, 12);
      expect(got['ok']).toBe(want.ok);
      expect(got['tags']).toEqual(want.tags);
      expect(got['note']).toBe(want.note);
    }
  });

  it('writes an empty dataset', async () => {
    const f = path.join(dir, 'empty.parquet');
    const s = openSink(f, { columns: ['a'] });
    await s.finish();
    const back = await parquetReadObjects({ file: await asyncBufferFromFile(f) });
    expect(back).toHaveLength(0);
  });
});
