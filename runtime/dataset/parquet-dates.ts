// Dates and datetimes in Parquet files: which columns of a dataset are dates (from its plan), which columns of a
// file are (from its schema), and a cell read back as canonical ISO text (compiler/plan/dates.ts). Apart from
// parquet.ts so readers (reports, merges, resumed expectations) do not load the Parquet writer.
import { readFileSync } from 'node:fs';
import type { SchemaElement } from 'hyparquet';
import { daysToDate, millisToDatetime, parseDate, parseDatetime } from '../../compiler/plan/dates.js';
import type { DatasetStage } from '../../compiler/plan/schema.js';
import { fakeMethod } from '../../compiler/check/fake.js';

/** Columns of dates and of datetimes, by name. */
export type DateColumns = Record<string, 'date' | 'datetime'>;

/**
 * The top-level columns of `ds`'s rows that hold dates or datetimes: row-type fields whose schema says
 * `format: date` / `date-time`, and kept `vary`s drawn as dates or datetimes (`uniform` of dates, a `fake` method
 * that gives a datetime). Other columns' types are inferred from their values.
 */
export function dateColumns(ds: DatasetStage): DateColumns {
  const out: DateColumns = {};
  const props = (ds.rowType.schema as { properties?: Record<string, { format?: string }> } | null)?.properties ?? {};
  for (const [name, s] of Object.entries(props)) {
    if (s.format === 'date') out[name] = 'date';
    else if (s.format === 'date-time') out[name] = 'datetime';
  }
  for (const v of ds.vary) {
    if (!ds.keep.includes(v.name)) continue;
    const s = v.sampler;
    if (s.kind === 'date' || s.kind === 'datetime') out[v.name] = s.kind;
    else if (s.kind === 'fake' && fakeMethod(s.method)?.type === 'datetime') out[v.name] = 'datetime';
  }
  return out;
}

/** Canonical date or datetime text of a cell (a model's answer may carry a zone offset: converted to UTC). */
export function canonicalWhen(v: unknown, kind: 'date' | 'datetime', column: string): string {
  const t = typeof v === 'string' ? (kind === 'date' ? parseDate(v) : parseDatetime(v)) : undefined;
  if (t === undefined) throw new Error(`column '${column}' is declared ${kind} but holds ${JSON.stringify(v).slice(0, 60)}`);
  return t;
}

/** The DATE and TIMESTAMP columns of a Parquet file's schema (as this writer and other writers mark them). */
export function dateColumnsOf(schema: SchemaElement[]): DateColumns {
  const out: DateColumns = {};
  for (const e of schema.slice(1)) {
    if (e.num_children) continue;
    if (e.converted_type === 'DATE' || e.logical_type?.type === 'DATE') out[e.name] = 'date';
    else if (e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.logical_type?.type === 'TIMESTAMP') out[e.name] = 'datetime';
  }
  return out;
}

/** A DATE or TIMESTAMP cell as read by hyparquet (a `Date`, or days / milliseconds) → canonical text. */
export function dateCell(v: unknown, kind: 'date' | 'datetime'): string | null {
  if (v === null || v === undefined) return null;
  const ms = v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? (kind === 'date' ? v * 86_400_000 : v) : NaN;
  const text = kind === 'date' ? daysToDate(Math.floor(ms / 86_400_000)) : millisToDatetime(ms);
  if (text === undefined) throw new Error(`a ${kind} cell holds ${String(v)}, outside years 0000–9999`);
  return text;
}

/** The DATE and TIMESTAMP columns of the Parquet file `file` (its footer only is parsed). */
export async function parquetDateColumns(file: string): Promise<DateColumns> {
  const { parquetMetadata } = await import('hyparquet');
  const buf = readFileSync(file);
  return dateColumnsOf(parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)).schema);
}
