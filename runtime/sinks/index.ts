// Output sinks: JSONL, CSV and Parquet, append-safe across crashes.
//
// JSONL and CSV are appended in place, one whole row per write (a single positioned write of the row's bytes).
// Every `syncEvery` rows (and on close) the file is fsynced and a journal line `{"rows":N,"bytes":B}` is
// appended (and fsynced) to `<file>.journal` (or the path given), recording a committed prefix. On reopen the
// sink starts from the last journal line and scans only what follows it: whole rows (a JSONL line that parses;
// a CSV record whose newline is outside quotes) are kept and counted, and a torn last row — from a kill -9
// mid-write — is truncated away. A caller with its own journal (the dataset executor) can instead pass
// `truncateTo`, the byte length it knows to be committed.
//
// Parquet cannot be appended to: rows are staged in `<file>.staging.jsonl` (a JSONL sink, with the same crash
// safety) and converted when the sink is closed with `finish()`; the Parquet file appears atomically.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../../grammar/diagnostics.js';
import { csvRecord, parseCsvRecord, scanCsvRecords } from './csv.js';

export type SinkFormat = 'jsonl' | 'csv' | 'parquet';

export interface SinkOptions {
  /** default: from the file extension (.jsonl/.ndjson, .csv, .parquet) */
  format?: SinkFormat;
  /** CSV / Parquet column order (default: the first row's keys; for CSV, a reopened file's header) */
  columns?: string[];
  /** start over: remove the file, its staging and its journal */
  fresh?: boolean;
  /** rows between fsyncs (default 256); the tail since the last one may need regenerating after a crash */
  syncEvery?: number;
  /** where the sink journal goes (default `<file>.journal`, or `<staging>.journal` for Parquet) */
  journal?: string;
  /** byte length known to be committed (from the caller's own journal): the file is cut there on reopen */
  truncateTo?: number;
}

export interface Sink {
  readonly path: string;
  readonly format: SinkFormat;
  /** rows in the output, including those found when reopening */
  readonly rows: number;
  /** rows found on reopening (resumed) */
  readonly resumedRows: number;
  /** byte length of the (staged) file after the last write */
  readonly bytes: number;
  /** appends one row whole; returns the byte length after it (to journal) */
  write(row: Record<string, unknown>): number;
  /** fsync the file and record the committed prefix in the journal */
  sync(): void;
  /** sync and close; the output stays resumable (Parquet: staging kept, nothing converted) */
  close(): void;
  /** sync, close and finalise: Parquet is converted from its staging; the journal is removed */
  finish(): Promise<void>;
}

export function formatOf(file: string): SinkFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw synthError('SYN5005', { detail: `cannot tell the output format of '${file}': use .jsonl, .csv or .parquet` });
}

interface JournalMark {
  rows: number;
  bytes: number;
}

function lastMark(journal: string): JournalMark | undefined {
  if (!existsSync(journal)) return undefined;
  let mark: JournalMark | undefined;
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const m = JSON.parse(line) as JournalMark;
      if (Number.isInteger(m.rows) && Number.isInteger(m.bytes)) mark = m;
    } catch {
      break; // torn journal line: the ones before it stand
    }
  }
  return mark;
}

function readRange(fd: number, from: number, to: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, to - from));
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, from + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** Whole JSONL rows in `buf` and the byte offset after the last one. */
function scanJsonl(buf: Buffer): { records: number; end: number } {
  let records = 0;
  let end = 0;
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break;
    const line = buf.subarray(start, nl).toString('utf8');
    if (line.length) {
      try {
        JSON.parse(line);
      } catch {
        break; // a row that was being overwritten or is garbage: cut here
      }
      records++;
    }
    end = nl + 1;
    start = nl + 1;
  }
  return { records, end };
}

class FileSink implements Sink {
  private fd: number;
  private jfd = -1;
  private size: number;
  private count: number;
  private unsynced = 0;
  private columns: string[] | undefined;
  private header = false;
  readonly resumedRows: number;
  private readonly journal: string;

  constructor(
    readonly path: string,
    readonly format: SinkFormat,
    private readonly file: string, // what is written: the output, or the Parquet staging
    private readonly o: SinkOptions,
  ) {
    mkdirSync(dirnameOf(file), { recursive: true });
    this.journal = o.journal ?? file + '.journal';
    if (o.fresh) {
      rmSync(file, { force: true });
      rmSync(this.journal, { force: true });
      if (file !== path) rmSync(path, { force: true });
    }
    this.fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    const actual = statSync(file).size;
    const rowFormat = format === 'csv' ? 'csv' : 'jsonl';
    // Committed prefix: the caller's, or the journal's last mark (if the file still reaches it), or nothing.
    const mark = o.truncateTo === undefined ? lastMark(this.journal) : undefined;
    const from = mark && mark.bytes <= actual ? mark : { rows: 0, bytes: 0 };
    const to = o.truncateTo === undefined ? actual : Math.min(actual, o.truncateTo);
    const tail = readRange(this.fd, from.bytes, to);
    const scan = rowFormat === 'csv' ? scanCsvRecords(tail) : scanJsonl(tail);
    // A scan from byte 0 of a CSV file counts its header line as a record.
    const rows = from.rows + scan.records - (format === 'csv' && from.bytes === 0 && scan.records > 0 ? 1 : 0);
    const end = from.bytes + scan.end;
    if (end !== actual) ftruncateSync(this.fd, end);
    this.size = end;
    if (format === 'csv') {
      if (end > 0) {
        const first = parseCsvRecord(readRange(this.fd, 0, Math.min(end, 1 << 20)).toString('utf8'));
        this.columns = first?.fields;
        this.header = true;
        if (o.columns && this.columns && o.columns.join('\u0000') !== this.columns.join('\u0000')) {
          throw synthError('SYN5005', { detail: `${path} has columns ${this.columns.join(', ')}; this run writes ${o.columns.join(', ')}: use --fresh to start over` });
        }
      } else this.columns = o.columns;
    }
    this.count = rows;
    this.resumedRows = rows;
    this.jfd = openSync(this.journal, 'a');
  }

  get rows(): number {
    return this.count;
  }
  get bytes(): number {
    return this.size;
  }

  write(row: Record<string, unknown>): number {
    if (this.fd < 0) throw synthError('SYN5005', { detail: `${this.path} is closed` });
    let text: string;
    if (this.format === 'csv') {
      if (!this.columns) this.columns = Object.keys(row);
      for (const k in row) {
        if (!this.columns.includes(k)) throw synthError('SYN5005', { detail: `row has a column '${k}' that ${this.path} does not (${this.columns.join(', ')})` });
      }
      text = (this.header ? '' : csvRecord(this.columns)) + csvRecord(this.columns.map((c) => row[c]));
      this.header = true;
    } else {
      text = JSON.stringify(row) + '\n';
    }
    const n = Buffer.byteLength(text);
    writeSync(this.fd, text, this.size, 'utf8');
    this.size += n;
    this.count++;
    if (++this.unsynced >= (this.o.syncEvery ?? 256)) this.sync();
    return this.size;
  }

  sync(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    writeSync(this.jfd, JSON.stringify({ rows: this.count, bytes: this.size }) + '\n');
    fsyncSync(this.jfd);
    this.unsynced = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.sync();
    closeSync(this.fd);
    closeSync(this.jfd);
    this.fd = this.jfd = -1;
  }

  async finish(): Promise<void> {
    this.close();
    rmSync(this.journal, { force: true });
  }
}

function dirnameOf(f: string): string {
  return path.dirname(path.resolve(f));
}

class ParquetSink implements Sink {
  readonly format = 'parquet' as const;
  private readonly staged: FileSink;

  constructor(
    readonly path: string,
    private readonly o: SinkOptions,
  ) {
    this.staged = new FileSink(path, 'parquet', path + '.staging.jsonl', o);
  }
  get rows(): number {
    return this.staged.rows;
  }
  get resumedRows(): number {
    return this.staged.resumedRows;
  }
  get bytes(): number {
    return this.staged.bytes;
  }
  write(row: Record<string, unknown>): number {
    return this.staged.write(row);
  }
  sync(): void {
    this.staged.sync();
  }
  close(): void {
    this.staged.close();
  }
  async finish(): Promise<void> {
    this.staged.close();
    const { convertJsonlToParquet } = await import('./parquet.js');
    const staging = this.path + '.staging.jsonl';
    await convertJsonlToParquet(staging, this.path, this.o.columns ? { columns: this.o.columns } : {});
    await this.staged.finish();
    rmSync(staging, { force: true });
  }
}

/** Opens (or resumes) an output file. */
export function openSink(file: string, o: SinkOptions = {}): Sink {
  const format = o.format ?? formatOf(file);
  const abs = path.resolve(file);
  return format === 'parquet' ? new ParquetSink(abs, o) : new FileSink(abs, format, abs, o);
}
