// `synth check FILE...`: type-check specs and the rows of their seed tables; exit 1 when any has errors. Output is
// linear in the input: at most `--max-diagnostics` blocks per file (default 50) and 4 × that in all, excerpts clipped around the caret
// (cli/render.ts).
import * as path from 'node:path';
import type { Diagnostic } from '../../base/diagnostics.js';
import { SynthError, makeDiagnostic } from '../../base/diagnostics.js';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { ItemLoader } from '../../runtime/run/items.js';
import { TableProblems } from '../../runtime/sources/table.js';
import { dataFileText, DEFAULT_MAX_PER_FILE, diagnosticJson, lineIndexes, printDiagnostics } from '../render.js';
import { simMemoryLines } from './sim-memory.js';

/**
 * Checks each file and prints its diagnostics (text on stderr, or one JSON document on stdout with
 * `format: 'json'`, uncapped). Returns the exit code: 1 when any file has an error, else 0.
 */
export async function runCheck(files: string[], opts: { format?: string; maxDiagnostics?: number; allowOutsideProject?: boolean }): Promise<number> {
  let errors = 0;
  let warnings = 0;
  const json: object[] = [];
  const sims: string[] = [];
  for (const f of files) {
    const res = checkFile(f);
    const diagnostics = res.hasErrors ? res.diagnostics : [...res.diagnostics, ...(await tableDiagnostics(f, res, opts.allowOutsideProject ?? false))];
    if (!res.hasErrors && opts.format !== 'json') sims.push(...simMemoryLines(res));
    const textOf = (p: string) => res.program.files.get(p)?.text ?? dataFileText(p);
    if (opts.format === 'json') {
      const indexOf = lineIndexes(textOf);
      for (const d of diagnostics) {
        if (d.severity === 'error') errors++;
        else if (d.severity === 'warning') warnings++;
        json.push(diagnosticJson(d, textOf, indexOf));
      }
    } else {
      const n = printDiagnostics(diagnostics, textOf, opts.maxDiagnostics ?? DEFAULT_MAX_PER_FILE);
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

/**
 * The problems of the seed tables a spec reads (rows that do not fit their type, an unreadable file), as
 * diagnostics; nothing else of the spec is run. `allowOutsideProject`: tables outside the spec folder are read (else SYN4002).
 */
async function tableDiagnostics(file: string, res: ReturnType<typeof checkFile>, allowOutsideProject: boolean): Promise<Diagnostic[]> {
  const { plan } = buildPlan(res);
  const loader = new ItemLoader(plan, { projectRoot: path.dirname(path.resolve(file)), allowOutsideProject });
  try {
    await loader.checkTables(Object.keys(plan.datasets));
  } catch (e) {
    if (e instanceof TableProblems) return e.diagnostics;
    if (e instanceof SynthError) return [makeErrorDiagnostic(e, file)];
    throw e;
  }
  return [];
}

/** A runtime error (an unreadable table, a path outside the project) as a diagnostic at the start of its file. */
function makeErrorDiagnostic(e: SynthError, file: string): Diagnostic {
  const d = makeDiagnostic('SYN5054', e.location?.file ?? file, e.location?.span ?? { start: 0, end: 0 }, { source: '', file: '', reason: '' });
  return { ...d, code: e.code, message: e.message };
}
