// The journal of a dataset's output: an append-only file under `.synth/journal/` holding every row result a run
// produced — the row's output lines, dedup keys and provenance, a filtered row's reason, a failed row's cause —
// one self-checking JSON line each. It is what a rerun reuses (rows whose provenance is unchanged), what the
// output is rebuilt from, and where the tokens and cost of earlier runs are summed from.
//
// Integrity: every line carries `h`, a hash of the rest of the line. On open, a line that does not parse or
// whose hash does not match (truncated, spliced, edited) is dropped, and its row is made again (an LLM call
// again comes from the cache, so the bytes are the same); a later line for the same row supersedes an earlier
// one; exact duplicates count once. A torn last line (a kill or a full disk mid-write) is cut off before
// anything is appended. Nothing is ever taken from the output file itself, so a truncated, overwritten or
// spliced output cannot leak into the next one.
import { existsSync, fsync, mkdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { synthError } from '../../base/diagnostics.js';
import type { FailureCause } from '../cause.js';
import { closeFile, displayPath, openForWrite, syncFile, writeAll, writeFileAtomic, type WriteFaults } from './file-io.js';
import type { Row, Stats } from './produce.js';
import type { Provenance } from './provenance.js';
import { sealedAt, sealLine, unsealLine } from '../line-hash.js';
import { ByteBuffer } from './byte-buffer.js';

export const JOURNAL_VERSION = 2;
const HEADER = JSON.stringify({ synth: 'journal', v: JOURNAL_VERSION });

/** One journal line (without its hash). Exactly one of r (made), x (filtered), c (failed), g (a group of rows) is
 *  set, or none: a record of stats alone. */
export interface JournalRecord {
  /** row index */
  i?: number;
  /** what made the row (made and filtered rows) */
  p?: Provenance;
  /** made: the row (image fields as image sets: files and lines are made when it is written) */
  r?: Row;
  /** made: dedup keys (exact and near-duplicate signatures) */
  k?: string[];
  /** made: the row's split */
  sp?: string;
  /** filtered: why */
  x?: string;
  /** failed: why (a failed row is never reused: the next run tries it again) */
  c?: FailureCause;
  /** a group (a dataset with a nested `for`): each part's element path `at`, and its row (`r`, `k`, `sp`) or why
   *  it was filtered (`x`) */
  g?: JournalPart[];
  /** calls, tokens, cost and attempts this result took */
  s?: Stats;
  /** the run that wrote a record with stats: two runs' identical results stay two records (both were paid
   *  for), while a line copied by accident (an exact duplicate) counts once */
  u?: string;
}

/** One row of a journaled group. */
export interface JournalPart {
  at: number[];
  r?: Row;
  k?: string[];
  sp?: string;
  x?: string;
}

/**
 * The latest intact record of each row index, kept as its line and parsed when asked for: a rerun of a large
 * dataset holds its journal's text (a few hundred bytes a row), not a tree of objects per row (several times
 * that, and most of a rerun's time in the garbage collector).
 */
export class ReplayedRows {
  private readonly lines = new Map<number, string>();

  /** The record of row i, or undefined (none, or a line that is intact but not a well-formed record). */
  get(i: number): JournalRecord | undefined {
    const line = this.lines.get(i);
    if (line === undefined) return undefined;
    let rec: unknown;
    try {
      rec = JSON.parse(line.slice(0, line.lastIndexOf(',"h":"')) + '}');
    } catch {
      return undefined;
    }
    return rec && typeof rec === 'object' && !Array.isArray(rec) && wellFormed(rec as JournalRecord) ? (rec as JournalRecord) : undefined;
  }
  /** Row i's line, as read. */
  lineOf(i: number): string | undefined {
    return this.lines.get(i);
  }
  /** Records row i's intact line (a later one supersedes it). */
  set(i: number, line: string): void {
    this.lines.set(i, line);
  }
  has(i: number): boolean {
    return this.lines.has(i);
  }
  delete(i: number): boolean {
    return this.lines.delete(i);
  }
  get size(): number {
    return this.lines.size;
  }
  keys(): IterableIterator<number> {
    return this.lines.keys();
  }
}

export interface JournalReplay {
  /** the latest valid record of each row index */
  rows: ReplayedRows;
  /** stats summed over every valid record, superseded and failed ones included: what was spent is spent */
  stats: Stats;
  /** lines dropped because they failed their integrity check (their rows are made again) */
  damaged: number;
  /** a torn last line was cut off */
  torn: boolean;
  /** whether a journal existed before this run */
  existed: boolean;
}

/** The line a record is written as: its JSON with `h` (a hash of that JSON) appended as the last member. */
export function encodeRecord(rec: JournalRecord): string {
  return sealLine(JSON.stringify(rec));
}

/** The record of a journal line, or undefined when the line is not one intact record (line-hash.ts). */
export function decodeRecord(line: string): { rec: JournalRecord; hash: string } | undefined {
  const sealed = unsealLine(line);
  if (!sealed) return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(sealed.json);
  } catch {
    return undefined;
  }
  if (!rec || typeof rec !== 'object' || Array.isArray(rec) || !wellFormed(rec as JournalRecord)) return undefined;
  return { rec: rec as JournalRecord, hash: sealed.hash };
}

const HASH_MEMBER = ',"h":"';

/** The hash a sealed line carries (its `h` member starts at `at`). */
function hashMember(line: string, at: number): string {
  return line.slice(at + HASH_MEMBER.length, -2);
}

/** The row index a line begins with (`{"i":123,`), or -1. */
function leadingIndex(line: string): number {
  let n = 0;
  let k = 5;
  for (; k < line.length && k < 22; k++) {
    const c = line.charCodeAt(k);
    if (c === 44) return k > 5 && (line.charCodeAt(5) !== 48 || k === 6) ? n : -1; // ','; no leading zeros
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return -1;
}

function wellFormed(r: JournalRecord): boolean {
  if (r.i !== undefined && !(Number.isSafeInteger(r.i) && r.i >= 0)) return false;
  if (r.r !== undefined && !(r.r && typeof r.r === 'object' && !Array.isArray(r.r))) return false;
  if (r.k !== undefined && !(Array.isArray(r.k) && r.k.every((k) => typeof k === 'string'))) return false;
  if (r.p !== undefined && (typeof r.p !== 'object' || typeof r.p.d !== 'string')) return false;
  if (r.s !== undefined && (typeof r.s !== 'object' || Object.values(r.s).some((v) => typeof v !== 'number'))) return false;
  if (r.c !== undefined && (typeof r.c !== 'object' || typeof r.c.kind !== 'string' || typeof r.c.key !== 'string' || typeof r.c.message !== 'string')) return false;
  if (r.g !== undefined && !(Array.isArray(r.g) && r.g.every(wellFormedPart))) return false;
  const kinds = (r.r ? 1 : 0) + (r.x !== undefined ? 1 : 0) + (r.c ? 1 : 0) + (r.g ? 1 : 0);
  return kinds <= 1 && (kinds === 1) === (r.i !== undefined);
}

function wellFormedPart(p: JournalPart): boolean {
  if (!p || typeof p !== 'object' || !Array.isArray(p.at) || !p.at.every((n) => Number.isSafeInteger(n) && n >= 0)) return false;
  if (p.k !== undefined && !(Array.isArray(p.k) && p.k.every((k) => typeof k === 'string'))) return false;
  const row = p.r !== undefined && p.r !== null && typeof p.r === 'object' && !Array.isArray(p.r);
  return row !== (typeof p.x === 'string');
}

export class Journal {
  private fd = -1;
  private readonly pending = new ByteBuffer();
  private pendingLines = 0;
  /** records in the file, and the rows they are of (compaction rewrites the file when most are superseded) */
  private records = 0;
  private readonly rows = new Set<number>();
  private readonly run = randomBytes(4).toString('hex');
  private lastFlush = Date.now();
  private lastSync = Date.now();
  /** a periodic fsync is running on the thread pool; `closeAfterSync` is the descriptor to close once it ends
   *  (closing it under a running fsync could let the number be reused for another file) */
  private syncing = false;
  private closeAfterSync = -1;

  private constructor(
    readonly file: string,
    private readonly faults: WriteFaults | undefined,
  ) {}

  /**
   * Opens (or starts) a journal and replays it. `fresh` discards it first. Throws SYN5024 for a journal of a
   * newer format, SYN5023 when it cannot be written.
   */
  static open(file: string, o: { fresh?: boolean; faults?: WriteFaults } = {}): { journal: Journal; replay: JournalReplay } {
    const j = new Journal(file, o.faults);
    const replay: JournalReplay = { rows: new ReplayedRows(), stats: {}, damaged: 0, torn: false, existed: false };
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (e) {
      throw synthError('SYN5023', { file: displayPath(path.dirname(file)), reason: String((e as { code?: string }).code ?? e) });
    }
    if (o.fresh) rmSync(file, { force: true });
    if (existsSync(file)) {
      replay.existed = true;
      j.replay(readFileSync(file, 'utf8'), replay);
    } else {
      writeFileAtomic(file, HEADER + '\n', o.faults);
    }
    j.fd = openForWrite(file, 'a');
    return { journal: j, replay };
  }

  private replay(text: string, out: JournalReplay): void {
    const { kept, intact, tail } = this.read(text, out);
    if (!intact || out.damaged > 0) {
      // Rewrite with the intact lines only, so that appends start on a clean file.
      writeFileAtomic(this.file, [HEADER, ...kept()].map((l) => l + '\n').join(''), this.faults);
    } else if (out.torn) {
      try {
        truncateSync(this.file, Buffer.byteLength(text) - Buffer.byteLength(tail));
      } catch (e) {
        throw synthError('SYN5023', { file: displayPath(this.file), reason: String((e as { code?: string }).code ?? e) });
      }
    }
  }

  /** Parses a journal's text into `out`; returns its intact lines, whether its header is ours, and its tail. */
  private read(text: string, out: JournalReplay): { kept: () => string[]; intact: boolean; tail: string } {
    const lines = text.split('\n');
    // the text after the last newline is a line cut short (or nothing)
    const tail = lines.pop()!;
    out.torn = tail.length > 0;
    let header: { synth?: unknown; v?: unknown } | undefined;
    try {
      header = JSON.parse(lines[0] ?? '') as typeof header;
    } catch {
      header = undefined;
    }
    if (header && header.synth === 'journal' && typeof header.v === 'number' && header.v > JOURNAL_VERSION) {
      throw synthError('SYN5024', { file: displayPath(this.file), version: header.v });
    }
    const intact = !!header && header.synth === 'journal' && header.v === JOURNAL_VERSION;
    const damaged = new Set<number>(); // line numbers
    // hashes of lines superseded by a later line of their row, and of records of no row: a line equal to one of
    // them (or to its row's latest line) is an accidental copy and counts once
    const copies = new Set<string>();
    this.records = 0;
    const first = intact ? 1 : 0;
    for (let k = first; k < lines.length; k++) {
      const line = lines[k]!;
      if (!line) continue;
      const at = sealedAt(line);
      if (at < 0) {
        out.damaged++;
        damaged.add(k);
        continue;
      }
      const i = line.startsWith('{"i":') ? leadingIndex(line) : -1;
      if (i >= 0) {
        const prev = out.rows.lineOf(i);
        if (prev !== undefined) {
          if (prev === line || copies.has(hashMember(line, at))) continue;
          copies.add(hashMember(prev, prev.lastIndexOf(HASH_MEMBER)));
        }
        // A row's record without stats (most of them: rows made without LLM calls) is kept as its line, parsed
        // when the row is looked at. (`"s":{` outside a string is the top-level member or a key of the row:
        // either way the full parse below reads it right.)
        if (!line.includes('"s":{')) {
          this.records++;
          out.rows.set(i, line);
          this.rows.add(i);
          continue;
        }
      } else {
        const hash = hashMember(line, at);
        if (copies.has(hash)) continue;
        copies.add(hash);
      }
      const d = decodeRecord(line);
      if (!d) {
        out.damaged++;
        damaged.add(k);
        continue;
      }
      this.records++;
      if (d.rec.s) for (const key in d.rec.s) out.stats[key] = (out.stats[key] ?? 0) + d.rec.s[key]!;
      if (d.rec.i !== undefined) {
        out.rows.set(d.rec.i, line);
        this.rows.add(d.rec.i);
      }
    }
    const kept = () => lines.filter((l, k) => k >= first && l && !damaged.has(k));
    return { kept, intact, tail };
  }

  /** Appends a record (buffered: written by size, count or age, and at `flush`/`close`). Returns the length of
   *  its line (UTF-16 units). */
  append(rec: JournalRecord): number {
    if (rec.i !== undefined) this.rows.add(rec.i);
    // the run matters only where stats are summed (two runs' equal results both count); rows without stats skip it
    if (rec.s) rec.u = this.run;
    return this.push(encodeRecord(rec) + '\n');
  }

  /** `append` for a record already serialised (`JSON.stringify` of a record without `u`, a row's index first);
   *  `stats`: whether it has `s`. */
  appendJson(json: string, stats: boolean): number {
    const i = leadingIndex(json);
    if (i >= 0) this.rows.add(i);
    return this.push(sealLine(stats ? `${json.slice(0, -1)},"u":"${this.run}"}` : json) + '\n');
  }

  private push(line: string): number {
    this.records++;
    this.pending.add(line);
    this.pendingLines++;
    // Batched, so a slow LLM dataset still journals rows within a fraction of a second and a fast one does not
    // make a system call per row.
    if (this.pending.full || this.pendingLines >= 512 || Date.now() - this.lastFlush > 250) this.flush();
    return line.length;
  }

  flush(): void {
    if (this.pending.length && this.fd >= 0) {
      const buf = this.pending.take();
      this.pendingLines = 0;
      writeAll(this.fd, buf, this.file, this.faults);
      // A killed process loses nothing the OS already holds; fsync (for power loss) every few seconds, off the
      // main thread (an fsync of seconds of rows can take longer than a round trip to the model), and at the
      // end. A lost tail is made again on the next run (LLM calls from the cache).
      if (Date.now() - this.lastSync > 5000) this.syncInBackground();
    }
    this.lastFlush = Date.now();
  }

  /** Flushes what the OS holds to the disk, now. */
  sync(): void {
    if (this.fd >= 0) syncFile(this.fd, this.file);
    this.lastSync = Date.now();
  }

  private syncInBackground(): void {
    this.lastSync = Date.now();
    if (this.syncing || this.fd < 0) return;
    this.syncing = true;
    const fd = this.fd;
    // An error here is met again by the fsync at close, which reports it.
    fsync(fd, () => {
      this.syncing = false;
      if (this.closeAfterSync === fd) {
        this.closeAfterSync = -1;
        closeFile(fd);
      }
    });
  }

  /** Closes the descriptor, or leaves that to the background fsync still running on it. */
  private release(): void {
    if (this.fd < 0) return;
    if (this.syncing) this.closeAfterSync = this.fd;
    else closeFile(this.fd);
    this.fd = -1;
  }

  /** Flushes, syncs and closes; then compacts the file if superseded records outnumber the live ones. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
      this.sync();
    } finally {
      this.release();
    }
    if (this.records > 2 * this.rows.size + 1000) this.compact();
  }

  /**
   * Rewrites the journal with the latest record of each row only (a spec edited many times leaves many
   * superseded ones), plus one record of the stats the dropped records carried — what was spent stays counted.
   * Atomic: a crash leaves the old file or the new one.
   */
  private compact(): void {
    const replay: JournalReplay = { rows: new ReplayedRows(), stats: {}, damaged: 0, torn: false, existed: true };
    this.read(readFileSync(this.file, 'utf8'), replay);
    const carried: Record<string, number> = { ...replay.stats };
    for (const i of replay.rows.keys()) for (const [k, v] of Object.entries(replay.rows.get(i)?.s ?? {})) carried[k] = (carried[k] ?? 0) - v;
    const s = Object.fromEntries(Object.entries(carried).filter(([, v]) => v !== 0));
    const live = [...replay.rows.keys()].sort((a, b) => a - b).flatMap((i) => {
      const rec = replay.rows.get(i);
      return rec ? [encodeRecord(rec)] : [];
    });
    const lines = [HEADER, ...(Object.keys(s).length ? [encodeRecord({ s })] : []), ...live];
    writeFileAtomic(this.file, lines.map((l) => l + '\n').join(''), this.faults);
    this.records = lines.length - 1;
  }

  /** Closes without writing what is still buffered (after a write error: the file may end torn). */
  abandon(): void {
    this.pending.clear();
    this.release();
  }
}
