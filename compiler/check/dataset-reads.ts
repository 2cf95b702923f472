// Datasets that read datasets: `for c in customers` (its written rows, one row per customer) and
// `vary c ~ one_of(customers)` (a drawn row). The datasets of a program form a graph that must have no cycle, so
// the run can make each dataset after the ones it reads (SYN3054 names the cycle).
import type * as A from '../../grammar/ast.js';
import type { CheckContext } from './context.js';
import type { DatasetScope } from './dataset-scope.js';

/** The datasets `d` reads, by its clauses' syntax (names looked up through `ctx.symbols`), in clause order. */
export function directReads(d: A.DatasetDecl, ctx: CheckContext): Array<{ name: string; span: A.Span }> {
  const out: Array<{ name: string; span: A.Span }> = [];
  const add = (e: A.Expr | undefined) => {
    if (e?.kind !== 'Name') return;
    if (ctx.symbols.get(e.name.name)?.decl.kind === 'Dataset') out.push({ name: e.name.name, span: e.span });
  };
  for (const c of d.clauses) {
    if (c.kind === 'For') add(c.iterable);
    else if (c.kind === 'Vary' && c.mode === 'sample' && c.dist.kind === 'Call' && (c.dist.callee.name === 'one_of' || c.dist.callee.name === 'weighted')) add(c.dist.args[0]);
  }
  return out;
}

/** SYN3054 at each read of `d` that leads back to `d`, naming the cycle (`orders → customers → orders`). */
export function checkDatasetReads(d: A.DatasetDecl, ds: DatasetScope): void {
  const { ctx } = ds;
  const self = d.name.name;
  if (!self) return;
  for (const r of directReads(d, ctx)) {
    const path = pathBack(r.name, self, ctx, new Set());
    if (path) ctx.report('SYN3054', r.span, { cycle: [self, ...path].join(' → ') });
  }
}

/** A path of reads from dataset `from` to `to` (both included), or undefined; `seen` stops at visited datasets. */
function pathBack(from: string, to: string, ctx: CheckContext, seen: Set<string>): string[] | undefined {
  if (from === to) return [to];
  if (seen.has(from)) return undefined;
  seen.add(from);
  const decl = ctx.symbols.get(from)?.decl;
  if (decl?.kind !== 'Dataset') return undefined;
  for (const r of directReads(decl, ctx)) {
    const rest = pathBack(r.name, to, ctx, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}
