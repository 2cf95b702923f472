// AST walks both code generators need: which state fields a rule reads and writes, and which fields of
// other agents its reductions read (these decide phase loads, write-backs and snapshots).
import type * as A from '../../grammar/ast.js';

/** Names of states a piece of AST reads directly (not through a reduction binder). */
export function statesUsed(x: unknown, states: Set<string>, out: Set<string>): void {
  if (!x || typeof x !== 'object') return;
  if (Array.isArray(x)) return x.forEach((y) => statesUsed(y, states, out));
  const n = x as { kind?: string; name?: { name: string }; target?: { name: string } };
  if (n.kind === 'Name' && n.name && states.has(n.name.name)) out.add(n.name.name);
  if (n.kind === 'Assign' && n.target) out.add(n.target.name);
  for (const [k, v] of Object.entries(x)) if (k !== 'span') statesUsed(v, states, out);
}

/** Adds to `out` the fields of other agents that the reductions inside `x` read (`o.x` for `… for o in agents`). */
export function binderReads(x: unknown, out: Set<string>): void {
  if (!x || typeof x !== 'object') return;
  if (Array.isArray(x)) return x.forEach((y) => binderReads(y, out));
  const n = x as A.Expr;
  if (n.kind === 'Reduction') {
    const inner = (y: unknown): void => {
      if (!y || typeof y !== 'object') return;
      if (Array.isArray(y)) return y.forEach(inner);
      const m = y as A.Expr;
      if (m.kind === 'Member' && m.object.kind === 'Name' && m.object.name.name === n.binder.name) out.add(m.member.name);
      for (const [k, v] of Object.entries(y)) if (k !== 'span') inner(v);
    };
    inner(n.body);
    inner(n.where);
  }
  for (const [k, v] of Object.entries(x)) if (k !== 'span') binderReads(v, out);
}

/** The state fields a block assigns (branches included). */
export function writesIn(b: A.Block): Set<string> {
  const out = new Set<string>();
  const visit = (s: A.Stmt) => {
    if (s.kind === 'Assign') out.add(s.target.name);
    if (s.kind === 'If') {
      s.then.stmts.forEach(visit);
      if (s.else?.kind === 'If') visit(s.else);
      else s.else?.stmts.forEach(visit);
    }
  };
  b.stmts.forEach(visit);
  return out;
}
