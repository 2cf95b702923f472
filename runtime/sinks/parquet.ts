// Staged JSONL → Parquet (Parquet cannot be appended to, so a Parquet sink stages rows as JSONL and converts when
// the dataset finishes). Two streaming passes over the staged file: the first fixes each column's type, the
// second writes row groups, so memory stays bounded by one row group. Types: all integers → INT64, other
// numbers → DOUBLE, booleans → BOOLEAN, strings → STRING, anything nested or mixed → JSON; every column is
// nullable. Written to a temp file and renamed into place.
import { createReadStream, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileWriter, ParquetWriter, schemaFromColumnData, type BasicType, type ColumnSource } from 'hyparquet-writer';

type ColType = 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'JSON';

async function* rows(file: string): AsyncGenerator<Record<string, unknown>> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line) yield JSON.parse(line) as Record<string, unknown>;
}

function kindOf(v: unknown): ColType | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'INT64' : 'DOUBLE';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'string') return 'STRING';
  return 'JSON';
}

function merge(a: ColType | undefined, b: ColType | undefined): ColType | undefined {
  if (!a) return b;
  if (!b || a === b) return a;
  if ((a === 'INT64' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'INT64')) return 'DOUBLE';
  return 'JSON';
}

export interface ParquetConvertOptions {
  /** column order (default: order of first appearance) */
  columns?: string[];
  rowGroupSize?: number;
}

export async function convertJsonlToParquet(jsonl: string, out: string, o: ParquetConvertOptions = {}): Promise<{ rows: number; columns: string[] }> {
  const types = new Map<string, ColType | undefined>();
  for (const c of o.columns ?? []) types.set(c, undefined);
  let count = 0;
  for await (const r of rows(jsonl)) {
    count++;
    for (const k in r) types.set(k, merge(types.get(k), kindOf(r[k])));
  }
  const names = [...types.keys()];
  const colType = (n: string): ColType => types.get(n) ?? 'STRING';
  const empty = (): ColumnSource[] => names.map((name) => ({ name, data: [] as unknown[], type: colType(name) as BasicType, nullable: true }));
  const schema = schemaFromColumnData({ columnData: empty() });
  const tmp = out + '.tmp';
  const writer = new ParquetWriter({ writer: fileWriter(tmp), schema });
  const groupSize = o.rowGroupSize ?? 10_000;
  let batch: Array<Record<string, unknown>> = [];
  const flush = async () => {
    if (!batch.length) return;
    const columnData = names.map((name) => {
      const t = colType(name);
      const data = batch.map((r) => {
        const v = r[name];
        if (v === undefined || v === null) return null;
        return t === 'INT64' ? BigInt(v as number) : v;
      });
      return { name, data, type: t as BasicType, nullable: true };
    });
    await writer.write({ columnData, rowGroupSize: batch.length });
    batch = [];
  };
  try {
    for await (const r of rows(jsonl)) {
      batch.push(r);
      if (batch.length >= groupSize) await flush();
    }
    await flush();
    await writer.finish();
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return { rows: count, columns: names };
}
