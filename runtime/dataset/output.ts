// Append-only dataset output with a journal, so a run killed at any point (kill -9 included) resumes with no
// row lost and none written twice.
//
// Protocol: a row is appended to the output file, then a journal line `{i, end}` records the row index and the
// output's byte length after it. On reopen, the output is truncated to the last journaled length (dropping a
// row written but not journaled, or half written), and the journal's indices say which rows are done. LLM
// answers are cached before rows are written, so regenerating a dropped row repeats no finished call.
// Parquet is not appendable: rows are staged as JSONL and converted when the dataset completes.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeSync, renameSync, rmSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import type { Value } from '../../compiler/plan/eval.js';
import { csvCell, splitCsv } from './csv.js';
import type { DateColumns } from './parquet-dates.js';

export interface JournalEntry {
  i: number;
  end?: number;
  /** dedup keys of the written row (exact and near-duplicate signatures), replayed on resume */
  k?: string[];
  /** output lines this row became (absent: 1; an image row has one line per image) */
  n?: number;
  /** files the lines name, relative to the output's folder (image rows), for `synth merge` to carry over */
  f?: string[];
  /** the row was dropped: why */
  drop?: string;
  /** attempts and LLM stats, summed into the manifest on resume */
  s?: Record<string, number>;
}

export type Format = 'jsonl' | 'csv' | 'parquet';

export class DatasetOutput {
  private fd = -1;
  private jfd = -1;
  private size = 0; // bytes written to the file
  private pendingOut: Buffer[] = [];
  private pendingBytes = 0;
  private pendingJournal: string[] = [];
  private lastFlush = Date.now();
  private lastSync = Date.now();
  private columns: string[] | undefined;
  readonly staged: string;

  private constructor(
    readonly file: string,
    readonly format: Format,
    readonly journalFile: string,
  ) {
    this.staged = format === 'parquet' ? file + '.staging.jsonl' : file;
  }

  /** Opens (or resumes) an output; returns the journal entries already recorded. */
  static open(file: string, format: Format, journalFile: string, fresh: boolean): { out: DatasetOutput; done: JournalEntry[] } {
    const out = new DatasetOutput(file, format, journalFile);
    mkdirSync(path.dirname(file), { recursive: true });
    mkdirSync(path.dirname(journalFile), { recursive: true });
    let done: JournalEntry[] = [];
    if (fresh) {
      rmSync(out.staged, { force: true });
      rmSync(journalFile, { force: true });
      if (format === 'parquet') rmSync(file, { force: true });
    } else if (existsSync(journalFile)) {
      done = readJournal(journalFile);
      // Drop a torn last line (killed mid-write) so appended entries start on a fresh line.
      const text = readFileSync(journalFile, 'utf8');
      const valid = done.length === 0 ? 0 : Buffer.byteLength(text.split('\n').slice(0, done.length).join('\n') + '\n');
      if (valid !== Buffer.byteLength(text)) truncateSync(journalFile, valid);
    }
    const lastEnd = done.reduce((m, e) => (e.end !== undefined ? Math.max(m, e.end) : m), 0);
    out.fd = openSync(out.staged, existsSync(out.staged) ? 'r+' : 'w+');
    // Drop anything written after the last journaled row (a torn or unjournaled row).
    const actual = statSync(out.staged).size;
    if (actual !== lastEnd) ftruncateSync(out.fd, Math.min(actual, lastEnd));
    out.size = Math.min(actual, lastEnd);
    if (format === 'csv' && out.size > 0) {
      const head = readFileSync(out.staged, 'utf8').split('\n', 1)[0]!;
      out.columns = splitCsv(head);
    }
    out.jfd = openSync(journalFile, 'a');
    return { out, done };
  }

  /** Appends row i as one line, or as several (an image row: `lines`, naming `files`), journaled as one unit. */
  write(i: number, lines: Record<string, Value>[], keys: string[], stats: Record<string, number>, files: string[] = []): void {
    let text = '';
    for (const row of lines) {
      if (this.format === 'csv') {
        if (!this.columns) {
          this.columns = Object.keys(row);
          text += this.columns.map(csvCell).join(',') + '\n';
        }
        text += this.columns.map((c) => csvCell(row[c] ?? null)).join(',') + '\n';
      } else text += JSON.stringify(row) + '\n';
    }
    const buf = Buffer.from(text);
    this.pendingOut.push(buf);
    this.pendingBytes += buf.length;
    this.journal({
      i,
      end: this.size + this.pendingBytes,
      ...(keys.length ? { k: keys } : {}),
      ...(Object.keys(stats).length ? { s: stats } : {}),
      ...(lines.length !== 1 ? { n: lines.length } : {}),
      ...(files.length ? { f: files } : {}),
    });
  }

  drop(i: number, reason: string, stats: Record<string, number>): void {
    this.journal({ i, drop: reason.slice(0, 300), ...(Object.keys(stats).length ? { s: stats } : {}) });
  }

  private journal(e: JournalEntry): void {
    // the common entry is serialised by hand: this runs once per row
    this.pendingJournal.push(e.k || e.s || e.n !== undefined || e.f || e.drop !== undefined ? JSON.stringify(e) : `{"i":${e.i},"end":${e.end}}`);
    // Writes are batched (many rows per system call) and flushed by size, count or age, so a slow LLM
    // dataset still shows rows within a fraction of a second.
    if (this.pendingBytes > 256 * 1024 || this.pendingJournal.length >= 512 || Date.now() - this.lastFlush > 250) this.flush();
  }

  /** Output first, then the journal entries that describe it: a crash in between leaves an unjournaled tail,
   *  which the next open truncates. */
  flush(): void {
    if (this.pendingOut.length) {
      const buf = Buffer.concat(this.pendingOut);
      writeSync(this.fd, buf, 0, buf.length, this.size);
      this.size += buf.length;
      this.pendingOut = [];
      this.pendingBytes = 0;
    }
    if (this.pendingJournal.length) {
      writeSync(this.jfd, this.pendingJournal.join('\n') + '\n');
      this.pendingJournal = [];
      // A killed process loses nothing the OS already holds; fsync (for power loss) runs every few seconds and
      // at the end. A lost tail is simply regenerated (from the cache) on the next run.
      if (Date.now() - this.lastSync > 5000) this.sync();
    }
    this.lastFlush = Date.now();
  }

  sync(): void {
    if (this.fd >= 0) fsyncSync(this.fd);
    if (this.jfd >= 0) fsyncSync(this.jfd);
    this.lastSync = Date.now();
  }

  /** Parquet: the columns written as DATE / TIMESTAMP (parquet-dates.ts `dateColumns`). */
  dateColumns: DateColumns = {};

  /** Closes the files and, for Parquet, converts the staged rows. */
  async finish(): Promise<void> {
    this.close();
    if (this.format === 'parquet') {
      const { writeParquetFromJsonl } = await import('./parquet.js');
      const tmp = this.file + '.tmp';
      await writeParquetFromJsonl(this.staged, tmp, this.dateColumns);
      renameSync(tmp, this.file);
    }
  }

  close(): void {
    if (this.fd >= 0) {
      this.flush();
      this.sync();
      closeSync(this.fd);
      closeSync(this.jfd);
      this.fd = this.jfd = -1;
    }
  }
}

export function readJournal(file: string): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      break; // a torn last line: everything before it is valid
    }
  }
  return out;
}
