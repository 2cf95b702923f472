// JSONL → Parquet at the end of a dataset (Parquet cannot be appended to, so rows are built as JSONL first).
// Column types are inferred from the values: integers → INT64 when every one is exact (within ±(2^53 − 1), so
// it converts to int64 without rounding or overflow; `int` fields are checked to be so before a row is
// written), other numbers → DOUBLE, booleans → BOOLEAN, strings → STRING, anything nested → JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';

type Cell = string | number | boolean | null | object;

export async function writeParquetFromJsonl(jsonl: string, out: string): Promise<void> {
  const rows = readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, Cell>);
  const names: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  const columnData = names.map((name) => {
    const data = rows.map((r) => (r[name] === undefined ? null : r[name]!));
    const present = data.filter((v) => v !== null);
    let type: 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'JSON' = 'STRING';
    if (present.length && present.every((v) => typeof v === 'number')) type = present.every((v) => Number.isSafeInteger(v)) ? 'INT64' : 'DOUBLE';
    else if (present.length && present.every((v) => typeof v === 'boolean')) type = 'BOOLEAN';
    else if (present.some((v) => typeof v === 'object')) type = 'JSON';
    const values = type === 'INT64' ? data.map((v) => (v === null ? null : BigInt(v as number))) : data;
    return { name, data: values, type };
  });
  const buf = parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0]);
  writeFileSync(out, new Uint8Array(buf));
}
