// `synth check FILE...`: type-check specs; exit 1 when any has errors. Output is linear in the input: at most
// `--max-diagnostics` blocks per file (default 50), excerpts clipped around the caret (cli/render.ts).
import { checkFile } from '../../compiler/check.js';
import { DEFAULT_MAX_PER_FILE, diagnosticJson, lineIndexes, printDiagnostics } from '../render.js';
import { simMemoryLines } from './sim-memory.js';

/**
 * Checks each file and prints its diagnostics (text on stderr, or one JSON document on stdout with
 * `format: 'json'`, uncapped). Returns the exit code: 1 when any file has an error, else 0.
 */
export function runCheck(files: string[], opts: { format?: string; maxDiagnostics?: number }): number {
  let errors = 0;
  let warnings = 0;
  const json: object[] = [];
  const sims: string[] = [];
  for (const f of files) {
    const res = checkFile(f);
    if (!res.hasErrors && opts.format !== 'json') sims.push(...simMemoryLines(res));
    const textOf = (p: string) => res.program.files.get(p)?.text;
    if (opts.format === 'json') {
      const indexOf = lineIndexes(textOf);
      for (const d of res.diagnostics) {
        if (d.severity === 'error') errors++;
        else if (d.severity === 'warning') warnings++;
        json.push(diagnosticJson(d, textOf, indexOf));
      }
    } else {
      const n = printDiagnostics(res.diagnostics, textOf, opts.maxDiagnostics ?? DEFAULT_MAX_PER_FILE);
      errors += n.errors;
      warnings += n.warnings;
    }
  }
  if (opts.format === 'json') process.stdout.write(JSON.stringify({ diagnostics: json, errors, warnings }, null, 2) + '\n');
  else if (errors || warnings) process.stderr.write(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  else process.stderr.write(`ok: ${files.length} file${files.length === 1 ? '' : 's'} checked\n`);
  if (opts.format !== 'json') for (const line of sims) process.stderr.write(line + '\n');
  return errors > 0 ? 1 : 0;
}
