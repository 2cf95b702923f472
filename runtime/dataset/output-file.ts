// A dataset's output file, built whole in a temp file beside it during the run and renamed over it when the run
// ends — so the output is never half a run: it is the last finished run's rows (complete or not, as its
// manifest says), in index order, and never a splice of two runs. Counts its lines and hashes its bytes
// (sha256) as it goes, for the manifest and `synth verify`.
//
// Formats: JSONL (one JSON object per line); CSV (RFC 4180; the header is the first line's keys); Parquet (which
// cannot be appended to: lines are built as JSONL and converted at the end, see parquet.ts).
import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Value } from '../../compiler/plan/eval.js';
import type { ColumnTypes } from './parquet-schema.js';
import { csvCell } from './csv.js';
import { closeFile, displayPath, openForWrite, syncFile, writeAll, writeError, type WriteFaults } from './file-io.js';
import { buildingPath } from './paths.js';
import { ByteBuffer } from './byte-buffer.js';

export type Format = 'jsonl' | 'csv' | 'parquet';

/** What an output holds once committed: its lines (rows; one per image for image rows) and its sha256. */
export interface OutputSummary {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export class OutputFile {
  private fd = -1;
  private readonly pending = new ByteBuffer();
  private columns: string[] | undefined;
  private readonly hash: Hash = createHash('sha256');
  private lines = 0;
  private bytes = 0;
  /** the temp file the lines go to (JSONL for Parquet) */
  readonly building: string;

  /** `parquetColumns`: the Parquet columns the plan types (parquet-schema.ts `parquetColumns`) */
  constructor(
    readonly file: string,
    readonly format: Format,
    private readonly faults?: WriteFaults,
    private readonly parquetColumns: ColumnTypes = {},
  ) {
    this.building = buildingPath(file);
  }

  /** Starts the temp file (a killed run's leftover is discarded). */
  open(): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      rmSync(this.building, { force: true });
    } catch (e) {
      throw writeError(path.dirname(this.file), e);
    }
    this.fd = openForWrite(this.building, 'w');
  }

  /** Appends one row's lines; `json`: the JSON of a single line, already serialised. */
  write(lines: Record<string, Value>[], json?: string): void {
    if (json !== undefined && lines.length === 1 && this.format !== 'csv') {
      this.pending.add(json + '\n');
      this.lines++;
      if (this.pending.full) this.flush();
      return;
    }
    for (const row of lines) {
      let text: string;
      if (this.format === 'csv') {
        if (!this.columns) {
          this.columns = Object.keys(row);
          this.push(this.columns.map(csvCell).join(',') + '\n');
        }
        text = this.columns.map((c) => csvCell(row[c] ?? null)).join(',') + '\n';
      } else text = JSON.stringify(row) + '\n';
      this.push(text);
      this.lines++;
    }
    if (this.pending.full) this.flush();
  }

  private push(text: string): void {
    this.pending.add(text);
  }

  private flush(): void {
    if (!this.pending.length) return;
    const buf = this.pending.take();
    writeAll(this.fd, buf, this.file, this.faults);
    if (this.format !== 'parquet') this.hash.update(buf);
    this.bytes += buf.length;
  }

  /** Finishes the file and renames it over the output. Returns what it holds. */
  async commit(): Promise<OutputSummary> {
    this.flush();
    syncFile(this.fd, this.file);
    closeFile(this.fd);
    this.fd = -1;
    if (this.format === 'parquet') {
      const { writeParquetFromJsonl } = await import('./parquet.js');
      const tmp = this.file + '.parquet.tmp';
      try {
        await writeParquetFromJsonl(this.building, tmp, this.parquetColumns);
        const bytes = readFileSync(tmp);
        rename(tmp, this.file);
        rmSync(this.building, { force: true });
        return { file: this.file, rows: this.lines, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      } catch (e) {
        rmSync(tmp, { force: true });
        throw writeError(this.file, e);
      }
    }
    rename(this.building, this.file);
    return { file: this.file, rows: this.lines, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Drops the temp file (after an error): the output stays what the last finished run made. */
  abandon(): void {
    this.pending.clear();
    if (this.fd >= 0) closeFile(this.fd);
    this.fd = -1;
    try {
      rmSync(this.building, { force: true });
    } catch {
      // the error being reported is the one that matters; a leftover temp file is removed by the next run
    }
  }
}

function rename(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    throw writeError(to, e);
  }
}

/** sha256 and row count of an output as it is on disk (for the "changed since the last run" notice and
 *  `synth verify`). Rows: JSONL lines; CSV records after the header (a quoted cell may hold line breaks);
 *  Parquet's own row count. */
export async function describeFile(file: string, format: Format): Promise<{ sha256: string; rows: number }> {
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (format === 'parquet') {
    const { parquetMetadata } = await import('hyparquet');
    try {
      const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      return { sha256, rows: Number(meta.num_rows) };
    } catch {
      return { sha256, rows: -1 };
    }
  }
  let rows = 0;
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 34 && format === 'csv') quoted = !quoted;
    else if (b === 10 && !quoted) rows++;
  }
  return { sha256, rows: format === 'csv' && rows > 0 ? rows - 1 : rows };
}

export { displayPath };
