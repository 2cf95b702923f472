// CSV cells and records (RFC 4180 quoting), shared by the writer (output.ts) and the reader (read-rows.ts).
import type { Value } from '../../compiler/plan/eval.js';

/** One CSV record's cells (RFC 4180 quoting). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** One value as a CSV cell: null is empty, objects are JSON, and cells with quotes, commas or line breaks are quoted. */
export function csvCell(v: Value): string {
  const s = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}
