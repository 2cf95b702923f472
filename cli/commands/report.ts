// `synth report DIR`: writes DIR/report.html (or --out) from the manifests and outputs in DIR. A user's mistake
// (not an output folder, a bad manifest, an unwritable --out) is a coded one-line error and exit 1.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SynthError, synthError } from '../../base/diagnostics.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { fsReason } from '../../runtime/report/fs-reason.js';
import { writeLine } from '../render.js';

/**
 * Builds the HTML report of the outputs and manifests in `dir` (runtime/report) into `opts.out` (default
 * `dir/report.html`). Resolves with 0, or 1 when `dir` holds no manifest.
 */
export async function runReport(dir: string, opts: { out?: string }): Promise<number> {
  const out = opts.out ?? path.join(dir, 'report.html');
  try {
    const isDir = statIsDir(out);
    if (isDir) throw synthError('SYN5204', { path: out, reason: 'it is a folder; give a file name such as report.html' });
    const { html, datasets, charts, notes } = await buildReport(dir, out, (name, output) => writeLine(`report: reading ${name} (${output})`));
    writeAtomically(out, html);
    for (const n of notes) writeLine(`note: ${n}`);
    writeLine(`report: ${datasets} dataset(s), ${charts} charts → ${out}`);
    return 0;
  } catch (e) {
    if (!(e instanceof SynthError)) throw e;
    writeLine(`error ${e.code}: ${e.message}`);
    return 1;
  }
}

function statIsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Writes `file` via a temporary file and a rename, so a failed write never leaves half a report. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written there (its folder is not a folder)
    }
    throw synthError('SYN5204', { path: file, reason: fsReason(e) });
  }
}
