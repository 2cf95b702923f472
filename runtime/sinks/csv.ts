// CSV (RFC 4180) cells and records: fields with a comma, quote, CR or LF are quoted and quotes doubled; null is
// an empty cell; objects and arrays are written as JSON text.

export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function csvRecord(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\n';
}

/** Parses the first record of `text` (which may span lines inside quotes). */
export function parseCsvRecord(text: string, from = 0): { fields: string[]; end: number } | undefined {
  const fields: string[] = [];
  let cur = '';
  let q = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      fields.push(cur);
      cur = '';
    } else if (c === '\n') {
      fields.push(cur.endsWith('\r') ? cur.slice(0, -1) : cur);
      return { fields, end: i + 1 };
    } else cur += c;
  }
  return undefined; // no complete record
}

/**
 * Scans CSV bytes for complete records (newline outside quotes). Returns how many and the byte offset just after
 * the last one: everything after it is a torn record.
 */
export function scanCsvRecords(buf: Uint8Array): { records: number; end: number } {
  let q = false;
  let records = 0;
  let end = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x22) q = !q; // a doubled quote toggles twice: net effect none
    else if (b === 0x0a && !q) {
      records++;
      end = i + 1;
    }
  }
  return { records, end };
}
