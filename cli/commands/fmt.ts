// `synth fmt FILE...`: print the canonical layout; `--write` rewrites files, `--check` only reports.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { makeDiagnostic, SynthError } from '../../base/diagnostics.js';
import { formatSource } from '../../compiler/format.js';
import { unreadableSpec } from '../../compiler/program.js';
import { writeFileAtomic } from '../../runtime/dataset/file-io.js';
import { printDiagnostics, writeLine } from '../render.js';

/**
 * Formats each file in the canonical layout (compiler/format.ts): to stdout, or in place with `write`, or only
 * reports with `check`. Returns the exit code: 0 done (or all formatted), 1 a file would change, has syntax
 * errors or cannot be read (SYN1008, SYN1050; each printed, the other files still formatted), 2 a file cannot be
 * written (SYN5023; the file is left whole).
 */
export function runFmt(files: string[], opts: { check?: boolean; write?: boolean }): number {
  let status = 0;
  for (const f of files) {
    let text: string;
    try {
      // a device or FIFO would read as empty or block, and --write's rename would replace it: regular files only
      if (!statSync(f).isFile()) throw new Error('not a regular file');
      text = readFileSync(f, 'utf8');
    } catch {
      // a folder, a missing file, a link to nothing: the same coded line `synth check` prints (SYN1008, SYN1050),
      // the user's mistake (exit 1)
      const abs = path.resolve(f);
      const at = { start: 0, end: 0 };
      printDiagnostics([unreadableSpec(abs, f, abs, at, () => makeDiagnostic('SYN1008', abs, at, { path: f }))], () => undefined);
      status = Math.max(status, 1);
      continue;
    }
    const r = formatSource(text, f);
    if (r.text === undefined) {
      printDiagnostics(r.diagnostics, () => text);
      writeLine(`${f}: not formatted (syntax errors)`);
      status = Math.max(status, 1);
      continue;
    }
    if (opts.check) {
      if (r.text !== text) {
        writeLine(`${f}: would reformat`);
        status = Math.max(status, 1);
      }
    } else if (opts.write) {
      if (r.text !== text) {
        // Atomically, through a symlink to its target, keeping the file's mode: a full disk leaves the spec whole.
        try {
          const target = realpathSync(f);
          writeFileAtomic(target, r.text, undefined, statSync(target).mode);
        } catch (e) {
          if (!(e instanceof SynthError)) throw e;
          writeLine(`${f}: error ${e.code}: ${e.message}`);
          status = 2;
        }
      }
    } else process.stdout.write(r.text);
  }
  return status;
}
