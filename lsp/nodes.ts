// Finding AST nodes by offset. The AST has no parent pointers, so a lookup walks down from the file and
// returns the chain of nodes containing the offset (outermost first). The walk is generic over the AST's
// shape (objects with `kind` and `span`), so new node kinds need no change here.
import type * as A from '../grammar/ast.js';

export interface AnyNode {
  kind: string;
  span: A.Span;
  [k: string]: unknown;
}

function isNode(x: unknown): x is AnyNode {
  return !!x && typeof x === 'object' && typeof (x as AnyNode).kind === 'string' && !!(x as AnyNode).span;
}

/** The direct children of a node, in source order. */
export function children(n: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const k of Object.keys(n)) {
    if (k === 'span' || k === 'keyword') continue;
    const v = n[k];
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** Visits every node below `n` (pre-order). Return false from `f` to skip a node's children. */
export function walk(n: AnyNode, f: (node: AnyNode, parent: AnyNode | undefined) => boolean | void, parent?: AnyNode): void {
  if (f(n, parent) === false) return;
  for (const c of children(n)) walk(c, f, n);
}

/** The declaration (or import) whose text contains `offset`: the last one starting at or before it. */
export function declAt(file: A.SynthFile, offset: number): A.Decl | A.ImportDecl | undefined {
  const a = lastStartingAtOrBefore(file.imports, offset);
  const b = lastStartingAtOrBefore(file.decls, offset);
  return !a ? b : !b ? a : b.span.start >= a.span.start ? b : a;
}

/** The last of `nodes` (in source order) that starts at or before `offset`: a binary search, no allocation. */
function lastStartingAtOrBefore<T extends { span: A.Span }>(nodes: readonly T[], offset: number): T | undefined {
  let lo = 0;
  let hi = nodes.length - 1;
  let best: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.span.start <= offset) {
      best = nodes[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** The chain of nodes containing `offset`, outermost first (the declaration, then inward). */
export function nodePath(file: A.SynthFile, offset: number): AnyNode[] {
  const path: AnyNode[] = [];
  const d = declAt(file, offset);
  if (!d || offset > d.span.end) return path;
  let cur: AnyNode | undefined = d as unknown as AnyNode;
  while (cur) {
    path.push(cur);
    let next: AnyNode | undefined;
    for (const c of children(cur)) {
      if (c.span.start <= offset && offset <= c.span.end) {
        // prefer the innermost, and among touching siblings the one that starts at the offset
        if (!next || c.span.start >= next.span.start) next = c;
      }
    }
    cur = next;
  }
  return path;
}

/** The identifier at `offset` (cursor inside it or right after it). */
export function identAt(file: A.SynthFile, offset: number): A.Ident | undefined {
  const path = nodePath(file, offset);
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i]!;
    if (n.kind === 'Ident' && (n as unknown as A.Ident).name) return n as unknown as A.Ident;
  }
  // names that are fields of the innermost node (e.g. Call.callee is an Ident child, found above)
  return undefined;
}

/** The innermost node of `kind` on a node path (from `nodePath`), or undefined. */
export function innermost<K extends string>(path: AnyNode[], kind: K): AnyNode | undefined {
  for (let i = path.length - 1; i >= 0; i--) if (path[i]!.kind === kind) return path[i];
  return undefined;
}
