// Reads a written dataset back (for expectations on resumed runs, reports and merges).
import { readFileSync } from 'node:fs';
import type { Value } from '../../compiler/plan/eval.js';
import { splitCsv } from './csv.js';
import { dateCell, dateColumnsOf } from './parquet-dates.js';
import type { Format } from './output-file.js';

export async function readRows(file: string, format: Format): Promise<Record<string, Value>[]> {
  if (format === 'parquet') {
    const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
    const buf = readFileSync(file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    // DATE and TIMESTAMP columns come back as the canonical ISO text they were written from (compiler/plan/dates.ts)
    const dates = dateColumnsOf(parquetMetadata(ab).schema);
    const rows = (await parquetReadObjects({ file: ab })) as Record<string, unknown>[];
    return rows.map(
      (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, dates[k] ? dateCell(v, dates[k]) : typeof v === 'bigint' ? Number(v) : v])) as Record<string, Value>,
    );
  }
  const text = readFileSync(file, 'utf8');
  if (format === 'jsonl') return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, Value>);
  const [head, ...lines] = text.split('\n').filter(Boolean);
  const cols = splitCsv(head ?? '');
  return lines.map((l) => {
    const cells = splitCsv(l);
    const row: Record<string, Value> = {};
    cols.forEach((c, i) => {
      const s = cells[i] ?? '';
      const n = Number(s);
      row[c] = s === '' ? null : s === 'true' ? true : s === 'false' ? false : Number.isFinite(n) && /^-?[\d.eE+-]+$/.test(s) ? n : s;
    });
    return row;
  });
}
