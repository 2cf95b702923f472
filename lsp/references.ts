// Find references: every occurrence of the name's target across the program (the document and its imports),
// and across other open documents whose programs include the target's file.
import type { Location, ReferenceParams } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import { locationOf, targetAt } from './definition.js';
import { occurrencesOf, targetKey, type Target } from './resolve.js';
import type { Analysis } from './workspace.js';
import { toOffset } from './positions.js';

export interface FoundOccurrence {
  analysis: Analysis;
  file: string;
  span: A.Span;
  isDeclaration: boolean;
}

/** Occurrences of a target in every open document's program that contains its file, deduplicated. */
export function allOccurrences(a: Analysis, t: Target): FoundOccurrence[] {
  const out: FoundOccurrence[] = [];
  const seen = new Set<string>();
  const analyses = [a, ...a.workspace.analyzeAll().filter((x) => x !== a && x.result.program.files.has(t.file))];
  for (const an of analyses) {
    for (const o of occurrencesOf(an, t)) {
      const k = `${o.file}:${o.ident.span.start}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ analysis: an, file: o.file, span: o.ident.span, isDeclaration: targetKey({ file: o.file, span: o.ident.span }) === targetKey(t) });
    }
  }
  return out;
}

/** textDocument/references: every occurrence of the name under the cursor in the program and the open documents that import it (the declaration only when asked). */
export function references(a: Analysis, params: ReferenceParams): Location[] | null {
  const t = targetAt(a, toOffset(a.source.lines, params.position));
  if (!t) return null;
  return allOccurrences(a, t)
    .filter((o) => params.context.includeDeclaration || !o.isDeclaration)
    .map((o) => locationOf(o.analysis, { file: o.file, span: o.span }))
    .filter((l): l is Location => !!l);
}
