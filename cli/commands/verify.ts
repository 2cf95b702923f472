// `synth verify DIR`: every output under DIR against its manifest (sha256, row count, complete). Exit 0 when
// all match; 1 when any does not (each said on one line with its code); 2 when DIR holds no manifest.
import { existsSync } from 'node:fs';
import { verifyOutputs } from '../../runtime/verify.js';

/**
 * `synth verify DIR`: checks every output under `dir` against its manifest (runtime/verify.ts) and prints one line
 * per output. Resolves with the exit code: 0 when every output matches and its run was complete, else non-zero.
 */
export async function runVerify(dir: string): Promise<number> {
  if (!existsSync(dir)) {
    process.stderr.write(`error: ${dir} does not exist\n`);
    return 2;
  }
  const findings = await verifyOutputs(dir);
  if (!findings.length) {
    process.stderr.write(`error: no manifests (*.manifest.json) under ${dir}: nothing to verify\n`);
    return 2;
  }
  for (const f of findings) process.stderr.write(f.ok ? `ok ${f.message}\n` : `error ${f.code}: ${f.message}\n`);
  return findings.every((f) => f.ok) ? 0 : 1;
}
