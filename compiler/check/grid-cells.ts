// `count N` over a grid that alone makes the rows: when every `vary` enumerates (`vary c in Color`, `in 1..4`,
// `in [..]`) and no prompt is called, a row is its grid cell, so at most `cells` rows exist: a `count` above that
// can never be met (the run would end short, exit 3, and a rerun ends the same). SYN3037, a warning.
import type * as A from '../../grammar/ast.js';
import { constNumber } from './const-eval.js';
import type { CheckContext } from './context.js';

/** The number of cells of grid variable `c`'s domain, or undefined when it is not a constant list. */
function cellsOf(c: A.VaryClause, ctx: CheckContext): number | undefined {
  const e = c.dist;
  if (e.kind === 'Name') {
    const sym = ctx.symbols.get(e.name.name);
    return sym?.decl.kind === 'Enum' ? sym.decl.cases.length : undefined;
  }
  if (e.kind === 'Range') {
    const lo = constNumber(e.low);
    const hi = constNumber(e.high);
    return lo !== undefined && hi !== undefined && Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi ? hi - lo + 1 : undefined;
  }
  // the plan enumerates a list's items as written, repeats included
  if (e.kind === 'Array') return e.items.length;
  return undefined;
}

/** Does any expression under `node` call a prompt (whose answers may make rows of one cell differ)? */
function callsPrompt(node: unknown, ctx: CheckContext): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => callsPrompt(n, ctx));
  const n = node as { kind?: string; callee?: A.Ident };
  if (n.kind === 'Call' && n.callee && ctx.symbols.get(n.callee.name)?.decl.kind === 'Prompt') return true;
  for (const [k, v] of Object.entries(node)) if (k !== 'span' && callsPrompt(v, ctx)) return true;
  return false;
}

/** SYN3037 when dataset `d` asks for more rows (`count`) than its grid has cells, and nothing else varies. */
export function checkGridCells(d: A.DatasetDecl, ctx: CheckContext): void {
  const count = d.clauses.find((c): c is A.CountClause => c.kind === 'Count');
  const vary = d.clauses.filter((c): c is A.VaryClause => c.kind === 'Vary');
  if (!count || !vary.length || vary.some((v) => v.mode !== 'grid') || d.clauses.some((c) => c.kind === 'For')) return;
  const n = constNumber(count.value);
  if (n === undefined) return;
  let cells = 1;
  for (const v of vary) {
    const k = cellsOf(v, ctx);
    if (k === undefined) return;
    cells *= k;
  }
  if (n > cells && !callsPrompt(d.clauses, ctx)) ctx.report('SYN3037', count.value.span, { name: d.name.name, count: n, cells });
}
