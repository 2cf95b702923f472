// Go to definition: the declaration a name refers to (in this file or an imported one); an import's path
// goes to the imported file.
import type { DefinitionParams, Location } from 'vscode-languageserver';
import * as path from 'node:path';
import { identAt, nodePath } from './nodes.js';
import { toOffset, toRange } from './positions.js';
import { resolveIdent, type Target } from './resolve.js';
import type * as A from '../grammar/ast.js';
import type { Analysis } from './workspace.js';

/** textDocument/definition: the declaration of the name under the cursor (also in imported files), or the file an import names; null when nothing resolves. */
export function definition(a: Analysis, params: DefinitionParams): Location[] | null {
  const offset = toOffset(a.source.lines, params.position);
  const imp = nodePath(a.source.ast, offset)[0];
  if (imp?.kind === 'Import') {
    const target = path.resolve(path.dirname(a.doc.path), (imp as unknown as A.ImportDecl).path.value);
    return [{ uri: a.workspace.uriOf(target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
  }
  const t = targetAt(a, offset);
  if (!t) return null;
  const loc = locationOf(a, t);
  return loc ? [loc] : null;
}

/** What the identifier at `offset` refers to (resolve.ts), or undefined when there is none or it resolves to nothing. */
export function targetAt(a: Analysis, offset: number): Target | undefined {
  const ident = identAt(a.source.ast, offset);
  return ident ? resolveIdent(a, ident)?.target : undefined;
}

/** An LSP location for a span of a program file (open or read from disk); undefined when the file is unknown. */
export function locationOf(a: Analysis, t: { file: string; span: A.Span }): Location | undefined {
  const src = a.workspace.sourceOf(a, t.file);
  return src ? { uri: a.workspace.uriOf(t.file), range: toRange(src.lines, t.span) } : undefined;
}
