// `synth verify DIR`: every output under DIR against its manifest (sha256, row count, complete). Exit 0 when
// all match; 1 when any does not (each said on one line with its code), or when DIR is not an output folder
// (SYN5201: missing, a file, no manifest under it).
import { synthError } from '../../base/diagnostics.js';
import { outputFolderEntries } from '../../runtime/output-folder.js';
import { verifyOutputs } from '../../runtime/verify.js';
import { writeLine } from '../render.js';

/**
 * `synth verify DIR`: checks every output under `dir` against its manifest (runtime/verify.ts) and prints one line
 * per output. Resolves with the exit code: 0 when every output matches and its run was complete, else 1 (each
 * finding on one line with its code). Throws SYN5201 when `dir` is not an output folder (missing, a file, no manifest under it).
 */
export async function runVerify(dir: string): Promise<number> {
  outputFolderEntries(dir, 'verify', false);
  const findings = await verifyOutputs(dir);
  if (!findings.length) throw synthError('SYN5201', { path: dir, command: 'verify', problem: 'holds no *.manifest.json (nor do its subfolders)', hint: '' });
  for (const f of findings) writeLine(f.ok ? `ok ${f.message}` : `error ${f.code}: ${f.message}`);
  return findings.every((f) => f.ok) ? 0 : 1;
}
