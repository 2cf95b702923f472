// Checks of what the command line names, made before a command does any work, so a mistake is one coded line
// and exit 1 rather than an error from deep inside a run: a folder option that names a file, a `--dataset`
// the spec does not have.
import { statSync } from 'node:fs';
import { formatMessage, SynthError, synthError } from '../base/diagnostics.js';
import type { Plan } from '../compiler/plan/schema.js';
import { closest } from '../compiler/suggest.js';

/**
 * Throws SYN4107 when `dir` exists and is not a folder (a file, a socket); a path that does not exist yet is
 * fine (the command creates it). `what` names where the path came from (`--out`, `synth init's DIR`).
 */
export function requireFolder(dir: string, what: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return; // created when needed; other problems are the command's write errors
  }
  if (!st.isDirectory()) throw synthError('SYN4107', { path: dir, what, actual: st.isFile() ? 'a file' : 'not a regular folder' });
}

/** Throws SYN4106 (with a "did you mean" or the list of datasets) for a `--dataset` name `plan` lacks. */
export function checkDatasetNames(plan: Plan, names: readonly string[] | undefined): void {
  const all = Object.keys(plan.datasets);
  for (const name of names ?? []) {
    if (Object.hasOwn(plan.datasets, name)) continue;
    const suggestion = closest(name, all);
    throw new SynthError('SYN4106', formatMessage('SYN4106', { name }, suggestion ? { suggestion } : { choices: all }));
  }
}
