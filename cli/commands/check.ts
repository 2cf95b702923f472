// `synth check FILE...`: type-check specs; exit 1 when any has errors.
import { checkFile } from '../../compiler/check.js';
import { diagnosticJson, renderDiagnostic } from '../render.js';
import { simMemoryLines } from './sim-memory.js';

export function runCheck(files: string[], opts: { format?: string }): number {
  let errors = 0;
  let warnings = 0;
  const json: object[] = [];
  const sims: string[] = [];
  for (const f of files) {
    const res = checkFile(f);
    if (!res.hasErrors && opts.format !== 'json') sims.push(...simMemoryLines(res));
    const textOf = (p: string) => res.program.files.get(p)?.text;
    for (const d of res.diagnostics) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      if (opts.format === 'json') json.push(diagnosticJson(d, textOf));
      else process.stderr.write(renderDiagnostic(d, textOf) + '\n');
    }
  }
  if (opts.format === 'json') process.stdout.write(JSON.stringify({ diagnostics: json, errors, warnings }, null, 2) + '\n');
  else if (errors || warnings) process.stderr.write(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  else process.stderr.write(`ok: ${files.length} file${files.length === 1 ? '' : 's'} checked\n`);
  if (opts.format !== 'json') for (const line of sims) process.stderr.write(line + '\n');
  return errors > 0 ? 1 : 0;
}
