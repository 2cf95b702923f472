// Reads a dataset's rows one at a time, never the whole file: JSONL and CSV in chunks of CHUNK bytes, Parquet
// one row group at a time (hyparquet). Memory is one chunk (or row group) plus the row being built.
//
// Errors are the user's to fix, so they are SynthErrors naming file and line (SYN5203), never exceptions. A last
// line cut off mid-write (a run still writing, or killed) is not an error: it is skipped and reported through
// `onNote`, since the next run's resume truncates it too (runtime/dataset/output.ts).
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { synthError } from '../../base/diagnostics.js';
import type { Value } from '../../compiler/plan/eval.js';
import { CsvRecords } from './csv-records.js';
import type { DeclaredColumn } from './declared-columns.js';
import { fsReason } from './fs-reason.js';

export type Row = Record<string, Value>;
export type Format = 'jsonl' | 'csv' | 'parquet';

const CHUNK = 1 << 20;

export interface StreamOptions {
  /** the dataset's name, for messages */
  dataset: string;
  /** declared column types: CSV cells are converted by them (a `string` column's "007" stays a string) */
  declared?: Map<string, DeclaredColumn>;
  /** a remark for the report's reader (a skipped unfinished last line) */
  onNote?: (note: string) => void;
}

/**
 * The rows of `file`, in file order, in batches (one per chunk or row group: a promise per row would cost more
 * than parsing it). Throws SynthError SYN5203 for an unreadable file or a malformed line.
 */
export function streamRows(file: string, format: Format, opts: StreamOptions): AsyncGenerator<Row[]> {
  if (format === 'parquet') return parquetRows(file, opts);
  if (format === 'csv') return csvRows(file, opts);
  return jsonlRows(file, opts);
}

function unreadable(opts: StreamOptions, file: string, line: number | string, reason: string): Error {
  return synthError('SYN5203', { dataset: opts.dataset, file, line: String(line), reason });
}

async function* chunks(file: string, opts: StreamOptions): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const stream = createReadStream(file, { highWaterMark: CHUNK });
  try {
    for await (const buf of stream) yield decoder.write(buf as Buffer);
  } catch (e) {
    throw unreadable(opts, file, 1, fsReason(e));
  } finally {
    stream.destroy();
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

async function* jsonlRows(file: string, opts: StreamOptions): AsyncGenerator<Row[]> {
  let carry = '';
  let line = 0;
  const parse = (text: string): Row => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw unreadable(opts, file, line, `not JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw unreadable(opts, file, line, 'a row must be a JSON object');
    return v as Row;
  };
  for await (const chunk of chunks(file, opts)) {
    let start = 0;
    const text = carry ? carry + chunk : chunk;
    const batch: Row[] = [];
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      line++;
      const l = text.slice(start, nl);
      start = nl + 1;
      if (l.trim()) batch.push(parse(l));
    }
    carry = text.slice(start);
    if (batch.length) yield batch;
  }
  if (carry.trim()) {
    line++;
    let row: Row | undefined;
    try {
      row = parse(carry);
    } catch {
      opts.onNote?.(`line ${line} of ${file.split(/[\\/]/).pop()} is unfinished (a run still writing, or stopped mid-row) and was skipped`);
    }
    if (row) yield [row];
  }
}

async function* csvRows(file: string, opts: StreamOptions): AsyncGenerator<Row[]> {
  const records = new CsvRecords();
  let header: string[] | undefined;
  // a column named __proto__ is a column, not a prototype: such rows are built without one (slower, so only then)
  let protoColumn = false;
  let ready: { cells: string[]; line: number }[] = [];
  const convert = (cells: string[], line: number): Row => {
    if (cells.length > header!.length) throw unreadable(opts, file, line, `${cells.length} cells for ${header!.length} columns`);
    const row: Row = protoColumn ? (Object.create(null) as Row) : {};
    header!.forEach((c, i) => (row[c] = csvValue(cells[i] ?? '', opts.declared?.get(c))));
    return row;
  };
  for await (const chunk of chunks(file, opts)) {
    records.push(chunk, (cells, line) => ready.push({ cells, line }));
    const batch: Row[] = [];
    for (const r of ready) {
      if (!header) {
        header = withoutBom(r.cells);
        protoColumn = header.includes('__proto__');
      }
      else batch.push(convert(r.cells, r.line));
    }
    ready = [];
    if (batch.length) yield batch;
  }
  const last = records.end();
  if (last) {
    if (!header) {
      header = withoutBom(last.cells);
      protoColumn = header.includes('__proto__');
    }
    else if (last.complete && last.cells.length === header.length) yield [convert(last.cells, last.line)];
    else opts.onNote?.(`the record at line ${last.line} of ${file.split(/[\\/]/).pop()} is unfinished (a run still writing, or stopped mid-row) and was skipped`);
  }
}

/** A header whose first cell starts with a byte-order mark (spreadsheet exports) names the column without it. */
function withoutBom(cells: string[]): string[] {
  return cells.length && cells[0]!.startsWith('\ufeff') ? [cells[0]!.slice(1), ...cells.slice(1)] : cells;
}

/**
 * One CSV cell as a value. Empty is null (the writer writes null as empty). Declared columns convert by their
 * type, and a cell that does not fit stays a string, so the column shows as mixed rather than silently wrong;
 * undeclared ones read numbers and booleans as such.
 */
export function csvValue(s: string, declared: DeclaredColumn | undefined): Value {
  if (s === '') return null;
  switch (declared?.type) {
    case 'string':
      return s;
    case 'integer':
    case 'number':
      return NUMBER.test(s) ? Number(s) : s;
    case 'boolean':
      return s === 'true' ? true : s === 'false' ? false : s;
    case 'object':
    case 'array':
      try {
        return JSON.parse(s) as Value;
      } catch {
        return s;
      }
    default:
      return s === 'true' ? true : s === 'false' ? false : NUMBER.test(s) ? Number(s) : s;
  }
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

async function* parquetRows(file: string, opts: StreamOptions): AsyncGenerator<Row[]> {
  let hp: typeof import('hyparquet');
  try {
    hp = await import('hyparquet');
  } catch {
    throw unreadable(opts, file, 1, 'the Parquet reader (npm package hyparquet) is not installed');
  }
  let buffer;
  let metadata;
  try {
    buffer = await hp.asyncBufferFromFile(file);
    metadata = await hp.parquetMetadataAsync(buffer);
  } catch (e) {
    throw unreadable(opts, file, 'the footer', (e as NodeJS.ErrnoException).code ? fsReason(e) : (e as Error).message);
  }
  let rowStart = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = (await hp.parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd })) as Record<string, unknown>[];
    } catch (e) {
      throw unreadable(opts, file, `row group ${g}`, (e as Error).message);
    }
    yield rows.map((r) => {
      const row: Row = Object.create(null) as Row;
      for (const k in r) {
        const v = r[k];
        row[k] = (typeof v === 'bigint' ? Number(v) : v) as Value;
      }
      return row;
    });
    rowStart = rowEnd;
  }
}
