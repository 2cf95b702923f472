// The names an expression reads: the variables it depends on. Used where an expression runs earlier than the
// clauses around it — a sampler's arguments (drawn before `let`s and prompts), a `for … where` (before anything)
// — to tell the user which name it cannot see yet, instead of a bare "unknown name".
import type * as A from '../../grammar/ast.js';

/** Every `Name` in `e` (not member names, callees or record keys), in source order. */
export function namesIn(e: A.Expr): A.Ident[] {
  const out: A.Ident[] = [];
  const visit = (x: A.Expr): void => {
    switch (x.kind) {
      case 'Name':
        out.push(x.name);
        return;
      case 'Member':
        return visit(x.object);
      case 'Index':
        visit(x.object);
        return visit(x.index);
      case 'Call':
        x.args.forEach(visit);
        (x.named ?? []).forEach((n) => visit(n.value));
        return;
      case 'Unary':
        return visit(x.operand);
      case 'Binary':
        visit(x.left);
        return visit(x.right);
      case 'Range':
        visit(x.low);
        return visit(x.high);
      case 'Record':
        return x.entries.forEach((en) => visit(en.value));
      case 'Array':
        return x.items.forEach(visit);
      case 'Template':
        return x.parts.forEach((p) => (p.kind === 'Hole' ? visit(p.expr) : undefined));
      case 'Reduction':
        // a reduction's binder is its own; its other names are the enclosing scope's
        [x.body, x.domain, x.where, x.default].forEach((y) => y && namesIn(y).filter((n) => n.name !== x.binder.name).forEach((n) => out.push(n)));
        return;
      default:
        return;
    }
  };
  visit(e);
  return out;
}
