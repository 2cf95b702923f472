// Writing the files a run produces (journal, output, manifest, shard keys): every write error — a full disk,
// a read-only folder, a quota — becomes SYN5023 naming the file and the system's reason, never an "internal
// error". Tests inject faults here (`WriteFaults`) to play a disk that fills up at an exact byte.
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { synthError, SynthError } from '../../base/diagnostics.js';

/**
 * A test hook: before `bytes` bytes go to `file`, returns how many may be written (fewer: the write stops
 * there and fails with ENOSPC, as a full disk does), or undefined for all of them.
 */
export interface WriteFaults {
  allow(file: string, bytes: number): number | undefined;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device (ENOSPC)',
  EDQUOT: 'disk quota exceeded (EDQUOT)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EROFS: 'the file system is read-only (EROFS)',
  EISDIR: 'it is a folder (EISDIR)',
  ENOTDIR: 'a part of its path is not a folder (ENOTDIR)',
  EIO: 'input/output error (EIO)',
  EFBIG: 'the file is too large (EFBIG)',
  EMFILE: 'too many open files (EMFILE)',
  EEXIST: 'a file is in the way of a folder there (EEXIST)',
  ENOENT: 'a folder on its path does not exist (ENOENT)',
};

/** SYN5023 for a failed write of `file`. A SynthError passes through unchanged. */
export function writeError(file: string, e: unknown): SynthError {
  if (e instanceof SynthError) return e;
  return synthError('SYN5023', { file: displayPath(file), reason: writeReason(e) });
}

/** Why a write failed, in words: `no space left on the device (ENOSPC)`, or the error's own code or message. */
export function writeReason(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (REASONS[code] ?? `${code}`) : e instanceof Error ? e.message : String(e);
}

/** A path for messages: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Writes all of `buf` to `fd` (at `position`, or appending), as the file `file`; errors become SYN5023. */
export function writeAll(fd: number, buf: Buffer, file: string, faults?: WriteFaults, position?: number): void {
  try {
    let len = buf.length;
    const allowed = faults?.allow(file, len);
    if (allowed !== undefined && allowed < len) len = Math.max(0, allowed);
    let off = 0;
    while (off < len) {
      const n = writeSync(fd, buf, off, len - off, position === undefined ? null : position + off);
      off += n;
    }
    if (len < buf.length) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  } catch (e) {
    throw writeError(file, e);
  }
}

/** Opens `file` (`flags` as for fs.openSync); errors become SYN5023. */
export function openForWrite(file: string, flags: string): number {
  try {
    return openSync(file, flags);
  } catch (e) {
    throw writeError(file, e);
  }
}

export function syncFile(fd: number, file: string): void {
  try {
    fsyncSync(fd);
  } catch (e) {
    throw writeError(file, e);
  }
}

export function closeFile(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // closing a descriptor that failed to write: the write error is the one to report
  }
}

/**
 * Writes `text` to `file` atomically: a temp file beside it, fsynced, renamed into place, so a full disk or a kill
 * leaves the old file whole. `mode`: the new file's permission bits (default: the process's umask applies).
 * Errors are SYN5023 naming `file`.
 */
export function writeFileAtomic(file: string, text: string | Buffer, faults?: WriteFaults, mode?: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openForWrite(tmp, 'w');
  try {
    if (mode !== undefined) fchmodSync(fd, mode & 0o7777);
    writeAll(fd, typeof text === 'string' ? Buffer.from(text) : text, file, faults);
    syncFile(fd, file);
  } catch (e) {
    closeFile(fd);
    removeQuietly(tmp);
    throw e;
  }
  closeFile(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    removeQuietly(tmp);
    throw writeError(file, e);
  }
}

function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // reporting the first error matters more than a leftover temp file
  }
}

/** A file-system error (it names a system call) as SYN5023 naming its path; anything else unchanged. */
export function asWriteError(e: unknown, fallback: string): unknown {
  if (e instanceof SynthError) return e;
  const x = e as { code?: unknown; syscall?: unknown; path?: unknown } | null;
  if (x && typeof x.code === 'string' && typeof x.syscall === 'string') return writeError(typeof x.path === 'string' ? x.path : fallback, e);
  return e;
}
