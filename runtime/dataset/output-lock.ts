// One run at a time per output file. Two runs writing the same output (the same spec started twice, or two
// specs naming one file) would delete each other's temp file, append to one journal and leave one run's
// manifest beside the other's rows. So a run takes `<output>.lock` before it opens anything of the dataset
// (temp file, journal, images) and gives it back after the manifest is written.
//
// The lock is a file created exclusively and whole (written aside, then hard-linked into place) holding the owner's pid, host
// and a random token. A second run finding it says SYN5028 "another synth run is writing FILE (pid N)". A lock
// whose owner is gone (same host, no such pid: a killed run) is stale and is taken over: under a second
// exclusive file, `<output>.lock.takeover`, the run reads the lock again, removes it only if it still holds the
// dead owner's token, and creates its own — so two runs finding one stale lock never both win. A takeover file
// left by a run killed inside those few system calls is removed when its own pid is dead. A lock from another
// host is never judged stale (its pid means nothing here): the message says so and names the file to delete.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { synthError } from '../../base/diagnostics.js';
import { displayPath, writeError } from './file-io.js';

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/** A held lock; `release` is idempotent. */
export interface OutputLock {
  readonly file: string;
  release(): void;
}

/** The lock file of an output: `out/d.jsonl` → `out/d.jsonl.lock`. */
export function lockPath(output: string): string {
  return output + '.lock';
}

/**
 * Takes the lock of `output` (an absolute path) for this process. Throws SynthError SYN5028 when a live run
 * holds it (or one on another host), SYN5023 when the lock cannot be written (a read-only folder).
 * `isAlive` is for tests (default: `process.kill(pid, 0)`).
 */
export function lockOutput(output: string, isAlive: (pid: number) => boolean = pidAlive): OutputLock {
  const file = lockPath(output);
  const me: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    throw writeError(path.dirname(file), e);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(file, me)) return held(file, me);
    const owner = readOwner(file);
    if (owner === 'gone') continue; // released between our try and the read: try again
    if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
      throw synthError('SYN5028', { file: displayPath(output), pid: String(owner.pid), where: owner.host === me.host ? '' : ` on host ${owner.host}`, lock: displayPath(file) });
    }
    // stale (a dead owner) or unreadable (a torn write by a killed run): take it over under the takeover file
    if (takeOver(file, owner, me, isAlive)) return held(file, me);
  }
  const owner = readOwner(file);
  throw synthError('SYN5028', { file: displayPath(output), pid: owner && owner !== 'gone' ? String(owner.pid) : 'unknown', where: '', lock: displayPath(file) });
}

function held(file: string, me: LockOwner): OutputLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      // only our own lock: never remove one a later run took over (it would have to judge us dead first)
      const now = readOwner(file);
      if (now && now !== 'gone' && now.token === me.token) rmSync(file, { force: true });
    },
  };
}

/** Creates `file` holding `me`, atomically and exclusively: the content is written to a private file first
 *  and hard-linked into place (link fails with EEXIST when `file` exists), so a reader never sees a lock
 *  half-written by a live run. False when it exists. */
function create(file: string, me: LockOwner): boolean {
  const own = `${file}.${me.pid}-${me.token}`;
  try {
    writeFileSync(own, JSON.stringify(me) + '\n', { flag: 'wx' });
    try {
      linkSync(own, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
      // a file system without hard links: exclusive create, then write (a reader may see it empty for a moment)
      writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx' });
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(file, e);
  } finally {
    rmSync(own, { force: true });
  }
}

/** The lock's owner; 'gone' when there is no lock file; undefined when it cannot be read as one. */
function readOwner(file: string): LockOwner | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string') return o as LockOwner;
  } catch {
    // torn: fall through
  }
  return undefined;
}

/** Replaces the stale lock `seen` by ours, under the takeover file; false when another run got there first. */
function takeOver(file: string, seen: LockOwner | undefined, me: LockOwner, isAlive: (pid: number) => boolean): boolean {
  const guard = file + '.takeover';
  if (!create(guard, me)) {
    const g = readOwner(guard);
    // a takeover file whose owner died mid-takeover (or a torn one) is removed; the next attempt retries
    if (g === undefined || (g !== 'gone' && g.host === me.host && !isAlive(g.pid))) rmSync(guard, { force: true });
    return false;
  }
  try {
    const now = readOwner(file);
    const same = now === undefined ? seen === undefined : now !== 'gone' && seen !== undefined && now.token === seen.token;
    if (now !== 'gone' && !same) return false; // someone else took it over meanwhile
    rmSync(file, { force: true });
    return create(file, me);
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Whether a process with this pid exists here (EPERM: it exists, owned by another user). */
function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
