// What the editor shows about a table source's file (`source people: Person = table("seed/people.csv")`) in a
// hover: how many rows it has and the types its columns' values look like. The file is read here, once per
// version (path, size and modification time), never on every keystroke: CSV and JSONL in chunks, counting every
// row and inferring types from the first INFER_ROWS; Parquet from its footer alone (row count and column types).
// The rows are checked against the struct by `synth check` and `synth run` (runtime/sources/table.ts), not here.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parquetMetadata, parquetSchema } from 'hyparquet';

/** A table file as the hover describes it. */
export interface TableInfo {
  /** rows (not counting a CSV header) */
  rows: number;
  /** the columns in file order, with the type their values look like (`int`, `float?`, `string`, …) */
  columns: Array<{ name: string; type: string }>;
}

/** Rows whose values decide a column's inferred type. */
const INFER_ROWS = 1000;
const CHUNK = 1 << 20;

const cache = new Map<string, { stamp: string; info: TableInfo | { error: string } }>();

/**
 * The rows and column types of table `rel` (relative to the folder of `specFile`), or why it cannot be read
 * (`{ error }`: a missing file, a file that is not the format its ending says). Cached per file version.
 */
export function tableInfo(specFile: string, rel: string): TableInfo | { error: string } {
  const root = path.dirname(specFile);
  const file = path.resolve(root, rel);
  // The same confinement as a run (runtime/paths.ts, which lsp/ may not import): a file outside the project,
  // directly or through a symlink, is not read, so a spec cannot make the editor show another folder's data.
  if (!inside(root, file)) return { error: OUTSIDE };
  try {
    if (!inside(realpathSync(root), realpathSync(file))) return { error: OUTSIDE };
  } catch {
    // a missing file or folder: opening it below says so
  }
  let fd: number;
  try {
    // non-blocking: opening a FIFO for reading would otherwise wait for a writer, freezing the whole server; the
    // fstat below then refuses anything that is not a regular file
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { error: (e as { code?: string }).code === 'ENOENT' ? 'no such file' : String((e as Error).message) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: st.isDirectory() ? 'a folder, not a table file' : 'not a regular file (a FIFO, device or socket): SYN5054 when checked or run' };
    const stamp = `${st.size}:${st.mtimeMs}`;
    const hit = cache.get(file);
    if (hit?.stamp === stamp) return hit.info;
    let info: TableInfo | { error: string };
    try {
      info = /\.parquet$/i.test(file) ? parquetInfo(fd, st.size) : textInfo(fd, /\.jsonl$/i.test(file));
    } catch (e) {
      info = { error: (e as Error).message };
    }
    cache.set(file, { stamp, info });
    return info;
  } finally {
    closeSync(fd);
  }
}

const OUTSIDE = 'outside the project folder (SYN4002 when checked or run)';

/** Is `p` the folder `root` or below it (both absolute)? */
function inside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

/** The kinds of values a column has shown so far. */
class ColumnKinds {
  n = 0;
  empty = 0;
  int = 0;
  float = 0;
  bool = 0;
  list = 0;
  record = 0;

  add(v: unknown): void {
    if (v === null || v === undefined || v === '') this.empty++;
    else if (typeof v === 'boolean' || v === 'true' || v === 'false') this.bool++;
    else if (typeof v === 'number' || (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v))) {
      if (Number.isInteger(Number(v)) && !/[.eE]/.test(String(v))) this.int++;
      else this.float++;
    } else if (Array.isArray(v) || (typeof v === 'string' && /^\s*\[/.test(v))) this.list++;
    else if (typeof v === 'object' || (typeof v === 'string' && /^\s*\{/.test(v))) this.record++;
    this.n++;
  }

  /** `int`, `float`, `bool`, `list`, `record` or `string`, with `?` when some values are empty. */
  get type(): string {
    const present = this.n - this.empty;
    const t = present === 0 ? 'string' : this.int === present ? 'int' : this.int + this.float === present ? 'float' : this.bool === present ? 'bool' : this.list === present ? 'list' : this.record === present ? 'record' : 'string';
    return this.empty ? t + '?' : t;
  }
}

/** CSV (quotes spanning lines) or JSONL, read in chunks: every row counted, the first INFER_ROWS typed. */
function textInfo(fd: number, jsonl: boolean): TableInfo {
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.alloc(CHUNK);
  let header: string[] | undefined;
  const kinds = new Map<string, ColumnKinds>();
  let rows = 0;
  // CSV state: inside quotes, the cells of the record being read
  let quoted = false;
  let cell = '';
  let cells: string[] = [];
  let carry = '';
  const kind = (name: string) => {
    let k = kinds.get(name);
    if (!k) kinds.set(name, (k = new ColumnKinds()));
    return k;
  };
  const record = (r: string[]) => {
    if (!header) {
      header = r.map((c, i) => (i === 0 ? c.replace(/^\ufeff/, '') : c));
      header.forEach(kind);
      return;
    }
    if (r.length === 1 && r[0] === '') return;
    if (rows++ < INFER_ROWS) header.forEach((h, i) => kind(h).add(r[i]));
  };
  const line = (l: string) => {
    if (!l.trim()) return;
    rows++;
    if (rows > INFER_ROWS) return;
    const v = JSON.parse(l) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) kind(k).add(x);
  };
  for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null)) {
    const text = decoder.write(buf.subarray(0, n));
    if (jsonl) {
      const all = carry + text;
      const parts = all.split('\n');
      carry = parts.pop()!;
      parts.forEach(line);
      continue;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i++;
          } else quoted = false;
        } else if (rows < INFER_ROWS || !header) cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        cells.push(cell);
        cell = '';
      } else if (c === '\n') {
        cells.push(cell.replace(/\r$/, ''));
        record(cells);
        cells = [];
        cell = '';
      } else if (rows < INFER_ROWS || !header) cell += c;
    }
  }
  const rest = decoder.end();
  if (jsonl) line(carry + rest);
  else if (cell || cells.length) record([...cells, cell]);
  return { rows, columns: [...kinds].map(([name, k]) => ({ name, type: k.type })) };
}

/** Parquet: the row count and the column types of its footer, read from the end of the file. */
function parquetInfo(fd: number, size: number): TableInfo {
  const tail = Buffer.alloc(Math.min(size, 8));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  if (tail.length < 8 || tail.toString('latin1', 4, 8) !== 'PAR1') throw new Error('not a Parquet file');
  const footer = tail.readUInt32LE(0) + 8;
  const buf = Buffer.alloc(Math.min(size, footer));
  readSync(fd, buf, 0, buf.length, size - buf.length);
  const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const columns = parquetSchema(meta).children.map((c) => {
    const e = c.element;
    const t = c.children.length ? 'record' : e.converted_type === 'UTF8' || e.logical_type?.type === 'STRING' ? 'string' : e.type === 'INT64' || e.type === 'INT32' ? 'int' : e.type === 'DOUBLE' || e.type === 'FLOAT' ? 'float' : e.type === 'BOOLEAN' ? 'bool' : 'string';
    // (writers mark nearly every column OPTIONAL, so the footer's nullability says little: the rows' check does)
    return { name: e.name, type: t };
  });
  return { rows: Number(meta.num_rows), columns };
}
