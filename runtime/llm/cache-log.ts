// The storage under the LLM cache (cache.ts): append-only logs of sealed JSON lines, one log per process that
// wrote entries, in `<project>/.synth/cache/llm/log/`, and an index of every log's keys in memory.
//
// Why logs and not a file per entry (the earlier layout, still read): a run of a million rows made a million
// files — four file-system operations per row on the libuv thread pool (about 0.3 ms of CPU each row, half of
// what a row costs end to end; bench/RESULTS.md, "synth run end to end"), 4 GB of disk blocks for 300-byte
// answers, and a cold-cache lookup that failed with an Error object per row. A log costs one buffered write per
// entry and nothing per miss.
//
//   - Each line is `{"k":"<sha256 key>",...entry...,"h":"<hash>"}` (line-hash.ts): a line cut short by a kill or a
//     full disk, or edited, fails its check and counts as a miss.
//   - A process appends only to its own log (named by time, pid and a random tag), so two runs sharing the
//     folder never interleave lines; each sees the other's entries written before it started reading.
//   - The index (key → log, offset, length) is read once, lazily, on the first lookup: a first run over an empty
//     cache reads nothing at all. 52 bits of the key index it (a false match is caught by the key in the line).
//   - Entries are written before `set` resolves (a write system call, no fsync): an answer is in the OS before
//     the row that used it is journaled, so a killed run repeats no finished call.
import { closeSync, existsSync, mkdirSync, openSync, read, readdirSync, readSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { sealLine, unsealLine } from '../line-hash.js';

/** Where an entry's line is: which log, at which byte, how many bytes (without the newline). */
interface Location {
  log: number;
  offset: number;
  length: number;
}

const LINE_PREFIX = '{"k":"';
const KEY_CHARS = 64;
/** bytes read per step while indexing a log */
const CHUNK = 8 << 20;

/** The log store of one cache folder (`.synth/cache/llm`), shared by every client of the process that uses it. */
export class CacheLog {
  private readonly logDir: string;
  /** log files by number (index order), and a descriptor for reading each, opened on first use */
  private readonly logs: string[] = [];
  private readonly readers: number[] = [];
  /** 52-bit key prefix → location; undefined until the first lookup */
  private index: Map<number, Location> | undefined;
  /** this process's log: its number, descriptor and length; -1 until the first entry is written */
  private own = -1;
  private fd = -1;
  private size = 0;
  /** a write failed part-way: the log may end in a torn line, so nothing more is appended to it */
  private broken = false;
  /** clients holding this store (see `CacheLog.acquire`) */
  private holders = 0;

  private static readonly open = new Map<string, CacheLog>();

  private constructor(readonly dir: string) {
    this.logDir = path.join(dir, 'log');
  }

  /** The store of folder `dir` (`.synth/cache/llm`), shared within the process; give it back with `release`. */
  static acquire(dir: string): CacheLog {
    const key = path.resolve(dir);
    let log = CacheLog.open.get(key);
    if (!log) CacheLog.open.set(key, (log = new CacheLog(key)));
    log.holders++;
    return log;
  }

  /** Gives the store back; the last holder closes its files (a later `acquire` reads the index again). */
  release(): void {
    if (--this.holders > 0) return;
    CacheLog.open.delete(this.dir);
    for (const fd of [this.fd, ...this.readers]) if (fd !== undefined && fd >= 0) closeQuietly(fd);
    this.fd = -1;
    this.readers.length = 0;
  }

  /** The JSON text stored under `key` (without `k` and `h`), or undefined. */
  async get(key: string): Promise<string | undefined> {
    const at = this.lookup().get(prefixOf(key));
    if (!at) return undefined;
    const buf = Buffer.allocUnsafe(at.length);
    const fd = this.reader(at.log);
    if (fd < 0) return undefined;
    const n = await new Promise<number>((resolve) => read(fd, buf, 0, at.length, at.offset, (e, bytes) => resolve(e ? -1 : bytes)));
    if (n !== at.length) return undefined;
    const sealed = unsealLine(buf.toString('utf8'));
    if (!sealed || sealed.json.slice(LINE_PREFIX.length, LINE_PREFIX.length + KEY_CHARS) !== key) return undefined;
    return sealed.json;
  }

  /** Appends `json` (an object's JSON text whose first member is `"k": key`) to this process's log. Throws on a
   *  write error (the caller loses the entry, not the row). */
  put(key: string, json: string): void {
    if (this.broken) throw Object.assign(new Error('the cache log could not be written earlier in this run'), { code: 'EIO' });
    const line = Buffer.from(sealLine(json) + '\n');
    if (this.fd < 0) this.startOwnLog();
    try {
      let off = 0;
      while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    } catch (e) {
      this.broken = true;
      throw e;
    }
    const index = this.lookup();
    const p = prefixOf(key);
    if (!index.has(p)) index.set(p, { log: this.own, offset: this.size, length: line.length - 1 });
    this.size += line.length;
  }

  private startOwnLog(): void {
    mkdirSync(this.logDir, { recursive: true });
    const file = path.join(this.logDir, `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
    // read and append: entries written in this run are read back through the same descriptor
    this.fd = openSync(file, 'a+');
    this.own = this.logs.length;
    this.logs.push(file);
    this.readers[this.own] = this.fd;
    this.size = 0;
  }

  private reader(log: number): number {
    let fd = this.readers[log];
    if (fd === undefined) {
      try {
        fd = openSync(this.logs[log]!, 'r');
      } catch {
        fd = -1; // deleted meanwhile: its entries are misses
      }
      this.readers[log] = fd;
    }
    return fd;
  }

  /** The index, read from every log in the folder on first use. */
  private lookup(): Map<number, Location> {
    if (this.index) return this.index;
    this.index = new Map();
    let names: string[] = [];
    try {
      names = existsSync(this.logDir) ? readdirSync(this.logDir).filter((n) => n.endsWith('.jsonl')).sort() : [];
    } catch {
      names = [];
    }
    for (const name of names) {
      if (this.logs.includes(path.join(this.logDir, name))) continue;
      this.logs.push(path.join(this.logDir, name));
      this.indexLog(this.logs.length - 1);
    }
    return this.index;
  }

  /** Adds a log's complete lines to the index (the first entry of a key wins; a torn last line is left out). */
  private indexLog(log: number): void {
    const fd = this.reader(log);
    if (fd < 0) return;
    const index = this.index!;
    let buf = Buffer.allocUnsafe(CHUNK);
    let filePos = 0; // file offset of buf[0]
    let have = 0; // bytes in buf
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, have, buf.length - have, filePos + have);
      } catch {
        return;
      }
      if (n === 0) return; // what is left in buf has no newline: a torn last line
      have += n;
      const view = buf.subarray(0, have);
      let start = 0;
      for (let nl = view.indexOf(10, start); nl >= 0; nl = view.indexOf(10, start)) {
        if (nl - start > LINE_PREFIX.length + KEY_CHARS && buf.toString('latin1', start, start + LINE_PREFIX.length) === LINE_PREFIX) {
          const key = buf.toString('latin1', start + LINE_PREFIX.length, start + LINE_PREFIX.length + KEY_CHARS);
          const p = prefixOf(key);
          if (!Number.isNaN(p) && !index.has(p)) index.set(p, { log, offset: filePos + start, length: nl - start });
        }
        start = nl + 1;
      }
      // keep the unfinished line at the front; a line longer than the buffer grows it
      buf.copy(buf, 0, start, have);
      filePos += start;
      have -= start;
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
    }
  }
}

/** The first 52 bits of a hex key, as a number (exact in a double). */
function prefixOf(key: string): number {
  return Number.parseInt(key.slice(0, 13), 16);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
