// The Parquet columns of a dataset, from its plan — not from the values a run happens to write. Inferred from
// values, a `float` field whose values are all whole became INT64, an optional field left out of every row had
// no column, and two runs or two shards of one spec wrote different schemas. From the plan, every run and every
// shard of a spec writes the same columns with the same types:
//   - the row type's fields, in declaration order (an `image` field as its eight index columns,
//     images/rows.ts): int → INT64, float → DOUBLE, bool → BOOLEAN, string and enums → STRING, date → DATE,
//     datetime → TIMESTAMP, anything nested (records, arrays) → JSON; optional or not, every column is nullable;
//   - kept variables, by their sampler (randint, poisson → INT64; uniform, normal → DOUBLE; bernoulli → BOOLEAN;
//     dates; a faker method by its catalogue type; one_of by its values), judges (DOUBLE), and `split` (STRING);
//   (`format chat` writes its conversations to a chat file beside the rows: the row file keeps the row's columns.)
// A column the plan cannot type (a kept `let`, a `for` item, one_of of whole numbers, a dataset without a row
// type) is typed from its values as before (parquet.ts); it comes after the typed columns.
import { readFileSync } from 'node:fs';
import type { SchemaElement } from 'hyparquet';
import type { DatasetStage, Sampler } from '../../compiler/plan/schema.js';
import { fakeMethod } from '../../compiler/check/fake.js';
import { dateColumns } from './parquet-dates.js';

/** A column's type: Parquet's physical/logical pair, named as the writer takes it (`date`, `datetime`: DATE and
 *  TIMESTAMP). */
export type ColumnType = 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'JSON' | 'date' | 'datetime';

/** Typed columns, in the order they are written. */
export type ColumnTypes = Record<string, ColumnType>;

/** The columns `ds`'s rows are written with (see the header); columns it cannot type are left out. */
export function parquetColumns(ds: DatasetStage): ColumnTypes {
  const out: ColumnTypes = {};
  const dates = dateColumns(ds);
  const schema = ds.rowType.schema as Record<string, unknown> | null;
  const props = schema && typeof schema === 'object' && schema['type'] === 'object' ? (schema['properties'] as Record<string, unknown> | undefined) : undefined;
  if (props) {
    for (const [name, s] of Object.entries(props)) {
      if (ds.images?.includes(name)) {
        Object.assign(out, imageColumns(name));
        continue;
      }
      const t = dates[name] ?? typeOfSchema(s);
      if (t) out[name] = t;
    }
  } else if (schema && typeof schema === 'object' && Object.keys(schema).length) {
    // a row type that is not a record: rows are `{ value: … }` (produce.ts)
    const t = typeOfSchema(schema);
    if (t) out['value'] = t;
  }
  for (const k of ds.keep) {
    if (k in out) continue;
    const v = ds.vary.find((x) => x.name === k);
    const t = dates[k] ?? (v ? typeOfSampler(v.sampler) : undefined);
    if (t) out[k] = t;
  }
  for (const step of ds.steps) if ('judge' in step && !(step.judge in out)) out[step.judge] = 'DOUBLE';
  if (ds.split) out['split'] = 'STRING';
  return out;
}

/** The columns of one image field in the index (images/rows.ts `imageColumns`). */
function imageColumns(field: string): ColumnTypes {
  return {
    [field]: 'STRING',
    [`${field}_sha256`]: 'STRING',
    [`${field}_group`]: 'STRING',
    [`${field}_index`]: 'INT64',
    [`${field}_model`]: 'STRING',
    [`${field}_seed`]: 'INT64',
    [`${field}_width`]: 'INT64',
    [`${field}_height`]: 'INT64',
  };
}

/** The column type of a JSON Schema (compiler/plan/json-schema.ts): optionals are `[T, "null"]` or anyOf. */
function typeOfSchema(s: unknown): ColumnType | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const o = s as Record<string, unknown>;
  if (Array.isArray(o['anyOf'])) {
    const branches = (o['anyOf'] as unknown[]).filter((b) => !(b && typeof b === 'object' && (b as { type?: unknown }).type === 'null'));
    return branches.length === 1 ? typeOfSchema(branches[0]) : 'JSON';
  }
  const types = (Array.isArray(o['type']) ? (o['type'] as unknown[]) : [o['type']]).filter((t) => t !== 'null');
  if (types.length !== 1) return types.length ? 'JSON' : undefined;
  switch (types[0]) {
    case 'integer':
      return 'INT64';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return o['format'] === 'date' ? 'date' : o['format'] === 'date-time' ? 'datetime' : 'STRING';
    case 'object':
    case 'array':
      return 'JSON';
    default:
      return undefined;
  }
}

/** The column type of a kept variable drawn by `s`, where the sampler alone decides it. */
function typeOfSampler(s: Sampler): ColumnType | undefined {
  switch (s.kind) {
    case 'randint':
    case 'poisson':
      return 'INT64';
    case 'uniform':
    case 'normal':
      return 'DOUBLE';
    case 'bernoulli':
      return 'BOOLEAN';
    case 'date':
    case 'datetime':
      return s.kind;
    case 'fake': {
      const t = fakeMethod(s.method)?.type;
      return t === 'string' ? 'STRING' : t === 'int' ? 'INT64' : t === 'float' ? 'DOUBLE' : t === 'bool' ? 'BOOLEAN' : t === 'datetime' ? 'datetime' : t ? 'JSON' : undefined;
    }
    case 'choice': {
      // constants only (an expression's value is unknown here); a whole number may be an int or a float
      const vs = s.values;
      if (!vs.length || vs.some((v) => typeof v === 'object')) return undefined;
      if (vs.every((v) => typeof v === 'string')) return 'STRING';
      if (vs.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
      if (vs.every((v) => typeof v === 'number') && vs.some((v) => !Number.isInteger(v))) return 'DOUBLE';
      return undefined;
    }
  }
}

/** The column types of a Parquet file's schema (its leaf columns, in order), for a merge to write the same. */
export function columnTypesOf(schema: SchemaElement[]): ColumnTypes {
  const out: ColumnTypes = {};
  for (const e of schema.slice(1)) {
    if (e.num_children) continue;
    if (e.converted_type === 'DATE' || e.logical_type?.type === 'DATE') out[e.name] = 'date';
    else if (e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.logical_type?.type === 'TIMESTAMP') out[e.name] = 'datetime';
    else if (e.converted_type === 'JSON') out[e.name] = 'JSON';
    else if (e.type === 'BYTE_ARRAY') out[e.name] = 'STRING';
    else if (e.type === 'INT64' || e.type === 'DOUBLE' || e.type === 'BOOLEAN') out[e.name] = e.type;
  }
  return out;
}

/** The column types of the Parquet file `file` (its footer only is parsed). */
export async function parquetColumnTypes(file: string): Promise<ColumnTypes> {
  const { parquetMetadata } = await import('hyparquet');
  const buf = readFileSync(file);
  return columnTypesOf(parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)).schema);
}
