// Rendering diagnostics for people (file:line:col, message, source excerpt with a caret) and for tools (JSON).
import * as path from 'node:path';
import type { Diagnostic } from '../base/diagnostics.js';
import { LineIndex } from '../base/source.js';

/** The text of a spec file by path, for source excerpts (undefined: not loaded; the excerpt is left out). */
export type TextOf = (file: string) => string | undefined;

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

const useColor = () => process.stderr.isTTY && !process.env['NO_COLOR'];
const paint = (code: string, s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);

/**
 * A diagnostic for people: `file:line:col: error SYNxxxx: message`, the source line with a caret under the span,
 * related notes and the fix's title; coloured on a terminal unless NO_COLOR. Lines and columns are 1-based.
 */
export function renderDiagnostic(d: Diagnostic, textOf: TextOf): string {
  const text = textOf(d.file);
  const idx = text !== undefined ? new LineIndex(text) : undefined;
  const pos = idx ? idx.position(d.span.start) : { line: 0, character: 0 };
  const sev = d.severity === 'error' ? paint('31;1', 'error') : d.severity === 'warning' ? paint('33;1', 'warning') : d.severity;
  const lines = [`${rel(d.file)}:${pos.line + 1}:${pos.character + 1}: ${sev} ${d.code}: ${d.message}`];
  if (idx) {
    const src = idx.lineText(pos.line);
    const endPos = idx.position(d.span.end);
    const width = endPos.line === pos.line ? Math.max(1, endPos.character - pos.character) : Math.max(1, src.length - pos.character);
    const gutter = String(pos.line + 1);
    lines.push(`  ${gutter} | ${src}`);
    lines.push(`  ${' '.repeat(gutter.length)} | ${' '.repeat(pos.character)}${paint('31;1', '^'.repeat(width))}`);
  }
  for (const r of d.related ?? []) {
    const t = textOf(r.file);
    const p = t !== undefined ? new LineIndex(t).position(r.span.start) : { line: 0, character: 0 };
    lines.push(`  note: ${rel(r.file)}:${p.line + 1}:${p.character + 1}: ${r.message}`);
  }
  if (d.fix) lines.push(`  help: ${d.fix.title}`);
  return lines.join('\n');
}

/**
 * A diagnostic for tools: `{ file, code, severity, message, start, end, related, fix }` with `start`/`end` as
 * `{ line, column, offset }` (line and column 1-based, offset in UTF-16 code units).
 */
export function diagnosticJson(d: Diagnostic, textOf: TextOf): object {
  const text = textOf(d.file);
  const idx = text !== undefined ? new LineIndex(text) : undefined;
  const s = idx?.position(d.span.start) ?? { line: 0, character: 0 };
  const e = idx?.position(d.span.end) ?? s;
  return {
    file: d.file,
    code: d.code,
    severity: d.severity,
    message: d.message,
    start: { line: s.line + 1, column: s.character + 1, offset: d.span.start },
    end: { line: e.line + 1, column: e.character + 1, offset: d.span.end },
    related: d.related,
    fix: d.fix,
  };
}
