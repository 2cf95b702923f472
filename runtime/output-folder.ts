// The folder a run wrote its outputs and manifests to, as `synth report`, `synth verify` and `synth merge` take
// it: a path that does not exist, a file (often the spec itself) or a folder without manifests is the user's
// mistake, said as SYN5201 naming the command, never an exception from the file system.
import { readdirSync, statSync } from 'node:fs';
import { synthError } from '../base/diagnostics.js';
import { fsReason } from './report/fs-reason.js';

/**
 * The names of the entries of output folder `dir` (unsorted). Throws SYN5201 when `dir` does not exist, is a
 * file (with a hint for a spec file given instead), cannot be listed, or — with `needManifests` — holds no
 * `*.manifest.json` (with a hint for a project folder given instead). `command` is the synth command, for the
 * message (`report`, `verify`, `merge`).
 */
export function outputFolderEntries(dir: string, command: string, needManifests = true): string[] {
  let stat;
  try {
    stat = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw synthError('SYN5201', { path: dir, command, problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${fsReason(e)})`, hint: '' });
  }
  if (!stat.isDirectory()) {
    const hint = dir.endsWith('.synth') ? `; run the spec first (synth run ${dir}), then point synth ${command} at its output folder (e.g. out/)` : '';
    throw synthError('SYN5201', { path: dir, command, problem: 'is a file, not a folder', hint });
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw synthError('SYN5201', { path: dir, command, problem: `cannot be read (${fsReason(e)})`, hint: '' });
  }
  if (needManifests && !names.some((f) => f.endsWith('.manifest.json'))) {
    const specs = names.filter((f) => f.endsWith('.synth'));
    const hint = specs.length ? `; this looks like a project folder (${specs[0]}): its outputs are in the folder its \`output\` paths name, e.g. out/` : '';
    throw synthError('SYN5201', { path: dir, command, problem: 'holds no *.manifest.json', hint });
  }
  return names;
}
