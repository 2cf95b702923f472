// Formatting: the same formatter as `synth fmt` (compiler/format.ts). A file with syntax errors is left alone.
import type { DocumentFormattingParams, TextEdit } from 'vscode-languageserver';
import { formatSource } from '../compiler/format.js';
import type { Analysis } from './workspace.js';

/** textDocument/formatting: one edit replacing the whole text with `synth fmt`'s layout; none when already formatted or the text has syntax errors. */
export function formatting(a: Analysis, _params: DocumentFormattingParams): TextEdit[] {
  const r = formatSource(a.doc.text, a.doc.path);
  if (r.text === undefined || r.text === a.doc.text) return [];
  const end = a.source.lines.position(a.doc.text.length);
  return [{ range: { start: { line: 0, character: 0 }, end }, newText: r.text }];
}
