// JSONL → Parquet at the end of a dataset (Parquet cannot be appended to, so rows are built as JSONL first).
// Column types are inferred from the values: integers → INT64 when every one is exact (within ±(2^53 − 1), so
// it converts to int64 without rounding or overflow; `int` fields are checked to be so before a row is
// written), other numbers → DOUBLE, booleans → BOOLEAN, strings → STRING, anything nested → JSON — except the columns the plan declares `date` or `datetime`
// (parquet-dates.ts), written as DATE (INT32 days since 1970-01-01) and TIMESTAMP (INT64 milliseconds since the epoch,
// UTC-adjusted), the types Parquet readers (pandas, DuckDB, Spark, hyparquet) turn into dates and instants.
import { readFileSync, writeFileSync } from 'node:fs';
import type { SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { dateToDays, datetimeToMillis } from '../../compiler/plan/dates.js';
import { canonicalWhen, type DateColumns } from './parquet-dates.js';

type Cell = string | number | boolean | null | object;

/**
 * Writes the rows of `jsonl` to `out` as Parquet; the columns named in `dates` as DATE / TIMESTAMP (a value that is
 * not canonical date text is a bug upstream: it throws rather than writing a wrong value).
 */
export async function writeParquetFromJsonl(jsonl: string, out: string, dates: DateColumns = {}): Promise<void> {
  const rows = readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, Cell>);
  const names: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  const columnData = names.map((name) => {
    const data = rows.map((r) => (r[name] === undefined ? null : r[name]!));
    const when = dates[name];
    if (when) {
      schema.push(when === 'date' ? { name, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' }, repetition_type: 'OPTIONAL' } : { name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, repetition_type: 'OPTIONAL' });
      return { name, data: data.map((v) => (v === null ? null : when === 'date' ? dateToDays(canonicalWhen(v, 'date', name)) : BigInt(datetimeToMillis(canonicalWhen(v, 'datetime', name))))) };
    }
    const present = data.filter((v) => v !== null);
    let type: 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'JSON' = 'STRING';
    if (present.length && present.every((v) => typeof v === 'number')) type = present.every((v) => Number.isSafeInteger(v)) ? 'INT64' : 'DOUBLE';
    else if (present.length && present.every((v) => typeof v === 'boolean')) type = 'BOOLEAN';
    else if (present.some((v) => typeof v === 'object')) type = 'JSON';
    schema.push(basicElement(name, type));
    const values = type === 'INT64' ? data.map((v) => (v === null ? null : BigInt(v as number))) : data;
    return { name, data: values };
  });
  const buf = parquetWriteBuffer({ columnData, schema } as Parameters<typeof parquetWriteBuffer>[0]);
  writeFileSync(out, new Uint8Array(buf));
}

/** The schema element hyparquet-writer gives a column of `type` (its own mapping, spelled out to mix with DATE). */
function basicElement(name: string, type: 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'JSON'): SchemaElement {
  if (type === 'STRING') return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
  if (type === 'JSON') return { name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' };
  return { name, type, repetition_type: 'OPTIONAL' };
}
