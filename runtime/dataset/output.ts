// Append-only dataset output with a journal, so a run killed at any point (kill -9 included) resumes with no
// row lost and none written twice.
//
// Protocol: a row is appended to the output file, then a journal line `{i, end}` records the row index and the
// output's byte length after it. On reopen, the output is truncated to the last journaled length (dropping a
// row written but not journaled, or half written), and the journal's indices say which rows are done. LLM
// answers are cached before rows are written, so regenerating a dropped row repeats no finished call.
// Parquet is not appendable: rows are staged as JSONL and converted when the dataset completes.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Value } from '../eval.js';

export interface JournalEntry {
  i: number;
  end?: number;
  /** dedup keys of the written row (exact and near-duplicate signatures), replayed on resume */
  k?: string[];
  /** the row was dropped: why */
  drop?: string;
  /** attempts and LLM stats, summed into the manifest on resume */
  s?: Record<string, number>;
}

export type Format = 'jsonl' | 'csv' | 'parquet';

export class DatasetOutput {
  private fd = -1;
  private jfd = -1;
  private size = 0;
  private sinceSync = 0;
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
    }
    const lastEnd = done.reduce((m, e) => (e.end !== undefined ? Math.max(m, e.end) : m), 0);
    out.fd = openSync(out.staged, existsSync(out.staged) ? 'r+' : 'w+');
    // Drop anything written after the last journaled row (a torn or unjournaled row).
    const actual = statSync(out.staged).size;
    if (actual !== lastEnd) ftruncateSync(out.fd, Math.min(actual, lastEnd));
    out.size = Math.min(actual, lastEnd);
    if (format === 'csv' && out.size > 0) {
      const head = readFileSync(out.staged, 'utf8').split('\n', 1)[0]!;
      out.columns = parseCsvLine(head);
    }
    out.jfd = openSync(journalFile, 'a');
    return { out, done };
  }

  write(i: number, row: Record<string, Value>, keys: string[], stats: Record<string, number>): void {
    let text: string;
    if (this.format === 'csv') {
      if (!this.columns) {
        this.columns = Object.keys(row);
        text = this.columns.map(csvCell).join(',') + '\n';
      } else text = '';
      text += this.columns.map((c) => csvCell(row[c] ?? null)).join(',') + '\n';
    } else text = JSON.stringify(row) + '\n';
    const buf = Buffer.from(text);
    writeSync(this.fd, buf, 0, buf.length, this.size);
    this.size += buf.length;
    this.journal({ i, end: this.size, ...(keys.length ? { k: keys } : {}), ...(Object.keys(stats).length ? { s: stats } : {}) });
  }

  drop(i: number, reason: string, stats: Record<string, number>): void {
    this.journal({ i, drop: reason.slice(0, 300), ...(Object.keys(stats).length ? { s: stats } : {}) });
  }

  private journal(e: JournalEntry): void {
    writeSync(this.jfd, JSON.stringify(e) + '\n');
    // fsync on a cadence: durability of the last few rows is traded for throughput; a lost tail is simply
    // regenerated (from the cache) on the next run.
    if (++this.sinceSync >= 256) this.sync();
  }

  sync(): void {
    if (this.fd >= 0) fsyncSync(this.fd);
    if (this.jfd >= 0) fsyncSync(this.jfd);
    this.sinceSync = 0;
  }

  /** Closes the files and, for Parquet, converts the staged rows. */
  async finish(): Promise<void> {
    this.close();
    if (this.format === 'parquet') {
      const { writeParquetFromJsonl } = await import('./parquet.js');
      const tmp = this.file + '.tmp';
      await writeParquetFromJsonl(this.staged, tmp);
      renameSync(tmp, this.file);
    }
  }

  close(): void {
    if (this.fd >= 0) {
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

function csvCell(v: Value): string {
  const s = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function parseCsvLine(line: string): string[] {
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
