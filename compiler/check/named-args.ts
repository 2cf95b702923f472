// Named arguments (`fake("person.fullName", locale: "de")`) are parsed in every call, but only the `fake` sampler
// takes one (compiler/check/samplers.ts checks a `vary`'s sampler, named arguments included). Everywhere else one
// would be silently ignored by the check of that call, so this check reports each as SYN2040, once, walking the
// declaration generically (any node kind, present or future).
import type * as A from '../../grammar/ast.js';
import type { CheckContext } from './context.js';

/** SYN2040 for every named argument in `d` outside a `vary`'s sampler. */
export function checkNamedArgs(d: A.Decl, ctx: CheckContext): void {
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    const node = x as { kind?: unknown };
    if (node.kind === 'Vary') {
      // the sampler is checked with its named arguments by the `vary` check; its arguments' own calls are not
      const dist = (x as A.VaryClause).dist;
      if (dist.kind === 'Call') {
        for (const a of dist.args) visit(a);
        for (const n of dist.named ?? []) visit(n.value);
      } else visit(dist);
      return;
    }
    if (node.kind === 'Call') {
      const call = x as A.CallExpr;
      for (const n of call.named ?? []) ctx.report('SYN2040', n.name.span, { callee: `${call.callee.name}(…)`, name: n.name.name });
    }
    for (const [k, v] of Object.entries(x)) if (k !== 'span') visit(v);
  };
  visit(d);
}
