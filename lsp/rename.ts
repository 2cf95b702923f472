// Rename: every occurrence of the target (declaration and uses, across imported files and other open
// documents) gets the new name. Built-ins and keywords cannot be renamed; the new name must be an identifier.
import { ResponseError, ErrorCodes, type PrepareRenameParams, type Range, type RenameParams, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { HARD_KEYWORDS } from '../grammar/lexer.js';
import { identAt } from './nodes.js';
import { toOffset, toRange } from './positions.js';
import { allOccurrences } from './references.js';
import { resolveIdent } from './resolve.js';
import type { Analysis } from './workspace.js';

/** textDocument/prepareRename: the range and current text of a renameable name under the cursor; null for built-ins, keywords and unresolved names. */
export function prepareRename(a: Analysis, params: PrepareRenameParams): { range: Range; placeholder: string } | null {
  const ident = identAt(a.source.ast, toOffset(a.source.lines, params.position));
  if (!ident || !resolveIdent(a, ident)) return null;
  return { range: toRange(a.source.lines, ident.span), placeholder: ident.name };
}

/** textDocument/rename: edits for every occurrence (allOccurrences). Throws ResponseError InvalidParams when `newName` is no identifier or a keyword. */
export function rename(a: Analysis, params: RenameParams): WorkspaceEdit | null {
  const ident = identAt(a.source.ast, toOffset(a.source.lines, params.position));
  const occ = ident ? resolveIdent(a, ident) : undefined;
  if (!occ) return null;
  const name = params.newName;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || HARD_KEYWORDS.includes(name)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `'${name}' is not a valid name`);
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const o of allOccurrences(a, occ.target)) {
    const src = o.analysis.workspace.sourceOf(o.analysis, o.file);
    if (!src) continue;
    const uri = a.workspace.uriOf(o.file);
    (changes[uri] ??= []).push({ range: toRange(src.lines, o.span), newText: name });
  }
  return { changes };
}
