// Folding ranges: declarations, blocks inside them (rules, records, triple-quoted strings) and runs of
// comment lines.
import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver';
import { walk, type AnyNode } from './nodes.js';
import type { Analysis } from './workspace.js';

/** textDocument/foldingRange: declarations, blocks, records, triple-quoted strings and runs of comment lines (0-based lines). */
export function foldingRanges(a: Analysis, _params: FoldingRangeParams): FoldingRange[] {
  const lines = a.source.lines;
  const out: FoldingRange[] = [];
  const seen = new Set<number>();
  const add = (start: number, end: number, kind?: FoldingRangeKind) => {
    const s = lines.position(start).line;
    const e = lines.position(end).line;
    if (e > s && !seen.has(s)) {
      seen.add(s);
      out.push({ startLine: s, endLine: e, ...(kind ? { kind } : {}) });
    }
  };
  const FOLD = new Set(['Rule', 'Block', 'Record', 'Event', 'Template', 'String', 'If', 'Observe', 'Array']);
  for (const d of [...a.source.ast.imports, ...a.source.ast.decls]) {
    walk(d as unknown as AnyNode, (n) => {
      if (n === (d as unknown) || FOLD.has(n.kind)) add(n.span.start, Math.max(n.span.start, n.span.end - 1));
    });
  }
  // comment runs
  const comments = [...a.source.ast.comments].sort((x, y) => x.span.start - y.span.start);
  let runStart = -1;
  let runEnd = -1;
  let prevLine = -2;
  for (const c of comments) {
    const l = lines.position(c.span.start).line;
    if (l === prevLine + 1 && runStart >= 0) runEnd = c.span.end;
    else {
      if (runStart >= 0) add(runStart, runEnd, FoldingRangeKind.Comment);
      runStart = c.span.start;
      runEnd = c.span.end;
    }
    prevLine = lines.position(c.span.end).line;
  }
  if (runStart >= 0) add(runStart, runEnd, FoldingRangeKind.Comment);
  return out.sort((x, y) => x.startLine - y.startLine);
}
