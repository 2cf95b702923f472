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
import { existsSync, mkdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { synthError } from '../../base/diagnostics.js';
import type { FailureCause } from '../cause.js';
import { closeFile, displayPath, openForWrite, syncFile, writeAll, writeFileAtomic, type WriteFaults } from './file-io.js';
import type { Row, Stats } from './produce.js';
import type { Provenance } from './provenance.js';

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
  /** the run that wrote the record: two runs' identical results stay two records, while a line copied by
   *  accident (an exact duplicate) counts once */
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

export interface JournalReplay {
  /** the latest valid record of each row index */
  rows: Map<number, JournalRecord>;
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
  const text = JSON.stringify(rec);
  return `${text.slice(0, -1)},"h":"${lineHash(text)}"}`;
}

const HASH_MEMBER = ',"h":"';

/** The record of a journal line, or undefined when the line is not one intact record. The hash is checked on
 *  the line's own text (everything before its `h` member), so nothing is re-serialised to check it; `,"h":"`
 *  cannot occur inside a JSON string value (its quotes would be escaped). */
export function decodeRecord(line: string): { rec: JournalRecord; hash: string } | undefined {
  const at = line.lastIndexOf(HASH_MEMBER);
  if (at < 0 || !line.endsWith('"}')) return undefined;
  const hash = line.slice(at + HASH_MEMBER.length, -2);
  const text = line.slice(0, at) + '}';
  if (lineHash(text) !== hash) return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!rec || typeof rec !== 'object' || Array.isArray(rec) || !wellFormed(rec as JournalRecord)) return undefined;
  return { rec: rec as JournalRecord, hash };
}

/** 64 bits of FNV-1a (two 32-bit lanes with different offsets, one pass): an integrity check against truncation,
 *  splices and edits, not against an adversary — the journal is the user's own file. */
function lineHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(36) + '.' + (b >>> 0).toString(36);
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
  private pending: string[] = [];
  private pendingBytes = 0;
  /** records in the file, and the rows they are of (compaction rewrites the file when most are superseded) */
  private records = 0;
  private readonly rows = new Set<number>();
  private readonly run = randomBytes(4).toString('hex');
  private lastFlush = Date.now();
  private lastSync = Date.now();

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
    const replay: JournalReplay = { rows: new Map(), stats: {}, damaged: 0, torn: false, existed: false };
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
      writeFileAtomic(this.file, [HEADER, ...kept].map((l) => l + '\n').join(''), this.faults);
    } else if (out.torn) {
      try {
        truncateSync(this.file, Buffer.byteLength(text) - Buffer.byteLength(tail));
      } catch (e) {
        throw synthError('SYN5023', { file: displayPath(this.file), reason: String((e as { code?: string }).code ?? e) });
      }
    }
  }

  /** Parses a journal's text into `out`; returns its intact lines, whether its header is ours, and its tail. */
  private read(text: string, out: JournalReplay): { kept: string[]; intact: boolean; tail: string } {
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
    const kept: string[] = [];
    const seen = new Set<string>();
    this.records = 0;
    for (const line of intact ? lines.slice(1) : lines) {
      if (!line) continue;
      const d = decodeRecord(line);
      if (!d) {
        out.damaged++;
        continue;
      }
      kept.push(line);
      if (seen.has(d.hash)) continue; // an exact copy of an earlier line: counted once
      seen.add(d.hash);
      this.records++;
      if (d.rec.s) for (const k in d.rec.s) out.stats[k] = (out.stats[k] ?? 0) + d.rec.s[k]!;
      if (d.rec.i !== undefined) {
        out.rows.set(d.rec.i, d.rec);
        this.rows.add(d.rec.i);
      }
    }
    return { kept, intact, tail };
  }

  /** Appends a record (buffered: written by size, count or age, and at `flush`/`close`). */
  append(rec: JournalRecord): void {
    this.records++;
    if (rec.i !== undefined) this.rows.add(rec.i);
    rec.u = this.run;
    const line = encodeRecord(rec) + '\n';
    this.pending.push(line);
    this.pendingBytes += line.length;
    // Batched, so a slow LLM dataset still journals rows within a fraction of a second and a fast one does not
    // make a system call per row.
    if (this.pendingBytes > 256 * 1024 || this.pending.length >= 512 || Date.now() - this.lastFlush > 250) this.flush();
  }

  flush(): void {
    if (this.pending.length && this.fd >= 0) {
      const buf = Buffer.from(this.pending.join(''));
      this.pending = [];
      this.pendingBytes = 0;
      writeAll(this.fd, buf, this.file, this.faults);
      // A killed process loses nothing the OS already holds; fsync (for power loss) every few seconds and at the
      // end. A lost tail is made again on the next run (LLM calls from the cache).
      if (Date.now() - this.lastSync > 5000) this.sync();
    }
    this.lastFlush = Date.now();
  }

  sync(): void {
    if (this.fd >= 0) syncFile(this.fd, this.file);
    this.lastSync = Date.now();
  }

  /** Flushes, syncs and closes; then compacts the file if superseded records outnumber the live ones. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
      this.sync();
    } finally {
      closeFile(this.fd);
      this.fd = -1;
    }
    if (this.records > 2 * this.rows.size + 1000) this.compact();
  }

  /**
   * Rewrites the journal with the latest record of each row only (a spec edited many times leaves many
   * superseded ones), plus one record of the stats the dropped records carried — what was spent stays counted.
   * Atomic: a crash leaves the old file or the new one.
   */
  private compact(): void {
    const replay: JournalReplay = { rows: new Map(), stats: {}, damaged: 0, torn: false, existed: true };
    this.read(readFileSync(this.file, 'utf8'), replay);
    const carried: Record<string, number> = { ...replay.stats };
    for (const rec of replay.rows.values()) for (const [k, v] of Object.entries(rec.s ?? {})) carried[k] = (carried[k] ?? 0) - v;
    const s = Object.fromEntries(Object.entries(carried).filter(([, v]) => v !== 0));
    const live = [...replay.rows.keys()].sort((a, b) => a - b).map((i) => encodeRecord(replay.rows.get(i)!));
    const lines = [HEADER, ...(Object.keys(s).length ? [encodeRecord({ s })] : []), ...live];
    writeFileAtomic(this.file, lines.map((l) => l + '\n').join(''), this.faults);
    this.records = lines.length - 1;
  }

  /** Closes without writing what is still buffered (after a write error: the file may end torn). */
  abandon(): void {
    this.pending = [];
    if (this.fd >= 0) closeFile(this.fd);
    this.fd = -1;
  }
}
