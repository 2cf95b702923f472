// JSONL → Parquet at the end of a dataset (Parquet cannot be appended to, so rows are built as JSONL first).
// Columns the plan types (parquet-schema.ts `parquetColumns`: the row type's fields, kept variables, judges,
// split) are written with those types, in that order, and always — also when no row holds a value for them,
// so every run and shard of a spec has the same schema. DATE columns are INT32 days since 1970-01-01 and
// TIMESTAMP columns INT64 milliseconds since the epoch, UTC-adjusted (parquet-dates.ts): the types Parquet
// readers (pandas, DuckDB, Spark, hyparquet) turn into dates and instants. A value that does not fit its
// column's type is a bug upstream (the checker and the row-value check, row-values.ts, guarantee the fit):
// it throws rather than writing a wrong value. Columns the plan cannot type come after, typed from their values:
// integers → INT64 when every one is exact (within ±(2^53 − 1)), other numbers → DOUBLE, booleans → BOOLEAN,
// strings → STRING, anything nested or mixed → JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import type { SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { dateToDays, datetimeToMillis } from '../../compiler/plan/dates.js';
import { canonicalWhen } from './parquet-dates.js';
import type { ColumnType, ColumnTypes } from './parquet-schema.js';

type Cell = string | number | boolean | null | object;

/**
 * Writes the rows of `jsonl` to `out` as Parquet, with the typed columns `columns` first (see the header; a
 * `DateColumns` map is such a map too) and any other column typed from its values.
 */
export async function writeParquetFromJsonl(jsonl: string, out: string, columns: ColumnTypes = {}): Promise<void> {
  const rows = readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, Cell>);
  const names: string[] = Object.keys(columns);
  const known = new Set(names);
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!known.has(k)) {
        known.add(k);
        names.push(k);
      }
    }
  }
  const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  const columnData = names.map((name) => {
    const data = rows.map((r) => (r[name] === undefined ? null : r[name]!));
    const type = columns[name] ?? inferred(data);
    schema.push(element(name, type));
    return { name, data: data.map((v) => (v === null ? null : cell(v, type, name))) };
  });
  const buf = parquetWriteBuffer({ columnData, schema } as Parameters<typeof parquetWriteBuffer>[0]);
  writeFileSync(out, new Uint8Array(buf));
}

/** The type of a column the plan does not type, from its values (see the header). */
function inferred(data: Cell[]): ColumnType {
  const present = data.filter((v) => v !== null);
  if (present.length && present.every((v) => typeof v === 'number')) return present.every((v) => Number.isSafeInteger(v)) ? 'INT64' : 'DOUBLE';
  if (present.length && present.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  if (present.some((v) => typeof v === 'object') || new Set(present.map((v) => typeof v)).size > 1) return 'JSON';
  return 'STRING';
}

/** A non-null value as its column stores it; throws when it does not fit the column's type. */
function cell(v: Cell, type: ColumnType, column: string): unknown {
  const misfit = () => new Error(`column '${column}' is ${type} but a row holds ${JSON.stringify(v).slice(0, 60)}`);
  switch (type) {
    case 'date':
      return dateToDays(canonicalWhen(v, 'date', column));
    case 'datetime':
      return BigInt(datetimeToMillis(canonicalWhen(v, 'datetime', column)));
    case 'INT64':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw misfit();
      return BigInt(v);
    case 'DOUBLE':
      if (typeof v !== 'number') throw misfit();
      return v;
    case 'BOOLEAN':
      if (typeof v !== 'boolean') throw misfit();
      return v;
    case 'STRING':
      if (typeof v !== 'string') throw misfit();
      return v;
    case 'JSON':
      return v;
  }
}

/** The schema element of a column (hyparquet-writer's own mapping, spelled out to mix with DATE); all nullable. */
function element(name: string, type: ColumnType): SchemaElement {
  switch (type) {
    case 'date':
      return { name, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' }, repetition_type: 'OPTIONAL' };
    case 'datetime':
      return { name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, repetition_type: 'OPTIONAL' };
    case 'STRING':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
    case 'JSON':
      return { name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' };
    default:
      return { name, type, repetition_type: 'OPTIONAL' };
  }
}
