// `synth fmt FILE...`: print the canonical layout; `--write` rewrites files, `--check` only reports.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeDiagnostic } from '../../base/diagnostics.js';
import { formatSource } from '../../compiler/format.js';
import { unreadableSpec } from '../../compiler/program.js';
import { printDiagnostics } from '../render.js';

/**
 * Formats each file in the canonical layout (compiler/format.ts): to stdout, or in place with `write`, or only
 * reports with `check`. Returns the exit code: 0 done (or all formatted), 1 a file would change, has syntax
 * errors or cannot be read (each printed; the other files are still formatted).
 */
export function runFmt(files: string[], opts: { check?: boolean; write?: boolean }): number {
  let status = 0;
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      // a folder, a missing file, a link to nothing: the same coded line `synth check` prints (SYN1008, SYN1050)
      const abs = path.resolve(f);
      const at = { start: 0, end: 0 };
      printDiagnostics([unreadableSpec(abs, f, abs, at, () => makeDiagnostic('SYN1008', abs, at, { path: f }))], () => undefined);
      status = Math.max(status, 1);
      continue;
    }
    const r = formatSource(text, f);
    if (r.text === undefined) {
      printDiagnostics(r.diagnostics, () => text);
      process.stderr.write(`${f}: not formatted (syntax errors)\n`);
      status = Math.max(status, 1);
      continue;
    }
    if (opts.check) {
      if (r.text !== text) {
        process.stderr.write(`${f}: would reformat\n`);
        status = Math.max(status, 1);
      }
    } else if (opts.write) {
      if (r.text !== text) writeFileSync(f, r.text);
    } else process.stdout.write(r.text);
  }
  return status;
}
