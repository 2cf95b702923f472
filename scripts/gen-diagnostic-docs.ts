// Writes the diagnostic-code table of docs/language.md (section 9) from the registry in base/diagnostics.ts,
// between the markers below, so the docs list exactly the codes, severities, titles, message templates and
// advice the tools use. test/docs/language-doc.test.ts fails when the committed table differs.
//
//   npx tsx scripts/gen-diagnostic-docs.ts          (writes docs/language.md)
//   npx tsx scripts/gen-diagnostic-docs.ts --check  (exit 1 when the table is out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIAGNOSTICS, type DiagnosticDef } from '../base/diagnostics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LANGUAGE_MD = path.join(ROOT, 'docs', 'language.md');

export const BEGIN = '<!-- diagnostics:begin — generated from base/diagnostics.ts by `npx tsx scripts/gen-diagnostic-docs.ts`; do not edit -->';
export const END = '<!-- diagnostics:end -->';

/** A table cell: `|` escaped, line breaks folded, so any text stays in its cell. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** The message column: the template, with the suffix every code that `suggests` may get. */
function messageCell(d: DiagnosticDef): string {
  return cell(d.message) + (d.suggests ? ' *(+ " — did you mean \'…\'?" or " (one of: …)")*' : '');
}

/** The generated table (markers included): one row per code of the registry, in code order. */
export function diagnosticTable(): string {
  const rows = Object.entries(DIAGNOSTICS as Record<string, DiagnosticDef>)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, d]) => `| ${code} | ${d.severity} | ${cell(d.title)} | ${messageCell(d)} | ${cell(d.help ?? '')} |`);
  return [BEGIN, '| code | severity | title | message | what to do |', '| --- | --- | --- | --- | --- |', ...rows, END].join('\n');
}

/** `doc` with the text between the markers replaced by the current table; throws if the markers are missing. */
export function withDiagnosticTable(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/language.md has no diagnostics markers (${BEGIN} … ${END})`);
  return doc.slice(0, start) + diagnosticTable() + doc.slice(end + END.length);
}

function main(): void {
  const current = readFileSync(LANGUAGE_MD, 'utf8');
  const next = withDiagnosticTable(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('docs/language.md: the diagnostic table is out of date: run `npx tsx scripts/gen-diagnostic-docs.ts`\n');
      process.exitCode = 1;
    }
    return;
  }
  if (next !== current) writeFileSync(LANGUAGE_MD, next);
  process.stdout.write(`${path.relative(ROOT, LANGUAGE_MD)}: ${Object.keys(DIAGNOSTICS).length} codes\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
