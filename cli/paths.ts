// Checks of what the command line names, made before a command does any work, so a mistake is one coded line
// and exit 1 rather than an error from deep inside a run: a folder option that names a file, a `--dataset`
// the spec does not have.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../base/diagnostics.js';
import type { Plan } from '../compiler/plan/schema.js';
import { closest } from '../compiler/suggest.js';
import { writeReason } from '../runtime/dataset/file-io.js';

/**
 * Throws SYN4107 when `dir`, or the nearest part of it that exists, is not a folder (a file, a socket); a path
 * that does not exist yet is fine (the command creates it). `what` names where the path came from (`--out`, `synth init's DIR`).
 */
export function requireFolder(dir: string, what: string): void {
  // the path, or the nearest part of it that exists (`-o file/plan`: `file` is in the way)
  let p = dir;
  let st;
  for (;;) {
    try {
      st = statSync(p);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(p) === p) return; // other problems are the command's write errors
      p = path.dirname(p);
    }
  }
  if (!st.isDirectory()) throw synthError('SYN4107', { path: p, what, actual: st.isFile() ? 'a file' : 'not a regular folder' });
}

/**
 * For a folder a command writes into (`--out`, `-o`, init's folder): SYN4107 as requireFolder, then creates the
 * missing folders and writes (and removes) a probe file there, throwing SYN4112 with the reason when either fails
 * — a read-only folder, one without permission, a pseudo file system such as /proc — so the command stops before
 * any work. The folders are made one at a time: Node's recursive mkdir loops forever where the parent exists
 * but refuses the child with ENOENT (`/proc/x`).
 */
export function requireWritableFolder(dir: string, what: string): void {
  requireFolder(dir, what);
  const abs = path.resolve(dir);
  const missing: string[] = [];
  for (let p = abs; !existsSync(p) && path.dirname(p) !== p; p = path.dirname(p)) missing.unshift(p);
  const probe = path.join(abs, `.synth-write-probe-${process.pid}`);
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      // ENOENT with the parent there: a file system that makes no folders (procfs, sysfs)
      const refused = (e as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(path.dirname(m));
      throw synthError('SYN4112', { path: dir, what, reason: refused ? `the file system at '${path.dirname(m)}' makes no new folders (ENOENT)` : writeReason(e) });
    }
  }
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw synthError('SYN4112', { path: dir, what, reason: writeReason(e) });
  }
}

/** Throws SYN4106 (with a "did you mean" or the list of datasets) for a `--dataset` name `plan` lacks. */
export function checkDatasetNames(plan: Plan, names: readonly string[] | undefined): void {
  const all = Object.keys(plan.datasets);
  for (const name of names ?? []) {
    if (Object.hasOwn(plan.datasets, name)) continue;
    const suggestion = closest(name, all);
    throw synthError('SYN4106', { name }, suggestion ? { suggestion } : { choices: all });
  }
}
