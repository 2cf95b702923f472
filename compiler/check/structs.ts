// Structs: distinct field names, and each field's constraints (`@len`, `@range`, `@pattern`, `@items`, `@desc`,
// `@example`) fitting the field's type with well-formed arguments.
import type * as A from '../../grammar/ast.js';
import { CONSTRAINTS } from '../constraints.js';
import { T, show, type Ty } from '../types.js';
import { constNumber } from './const-eval.js';
import type { CheckContext } from './context.js';

/** A struct's fields: no name twice (SYN1009), constraints that fit (see `checkConstraint`). */
export function checkStruct(d: A.StructDecl, ctx: CheckContext): void {
  const seen = new Map<string, A.FieldDecl>();
  for (const f of d.fields) {
    const prev = seen.get(f.name.name);
    if (prev && f.name.name) {
      ctx.report('SYN1009', f.name.span, { name: f.name.name, scope: `struct ${d.name.name}` }, {
        related: [{ file: ctx.file, span: prev.name.span, message: 'first declared here' }],
      });
    }
    seen.set(f.name.name, f);
    const ty = ctx.typeRefs.get(f.type) ?? T.unknown;
    for (const c of f.constraints) checkConstraint(ctx, c, ty);
  }
}

/**
 * One constraint on a field of type `ty`: a known name (SYN1001), a type it applies to (SYN2004), arguments of
 * the right shape (SYN2007): `@len`/`@items` a range of non-negative integers, `@range` a constant range (integers
 * for an int), `@pattern` a valid regular expression (SYN3035), bounds in order (SYN3034).
 */
function checkConstraint(ctx: CheckContext, c: A.Constraint, ty: Ty): void {
  const base = ty.k === 'optional' ? ty.inner : ty;
  const name = c.name.name;
  const spec = CONSTRAINTS[name];
  if (!spec) {
    ctx.report('SYN1001', c.name.span, { what: 'constraint', name: '@' + name }, { ...ctx.suggest(c.name.span, name, Object.keys(CONSTRAINTS)), data: { name } });
    return;
  }
  if (base.k !== 'unknown' && !spec.fits(base)) {
    ctx.report('SYN2004', c.span, { constraint: name, type: show(ty) });
    return;
  }
  const arg = c.args[0];
  const at = arg?.span ?? c.span;
  const bad = (expected: string) => ctx.report('SYN2007', at, { name, expected });
  if (name === 'len' || name === 'range' || name === 'items') {
    if (c.args.length !== 1 || arg?.kind !== 'Range') return bad(`one range, e.g. @${name}(1..10)`);
    const lo = constNumber(arg.low);
    const hi = constNumber(arg.high);
    if (lo === undefined || hi === undefined) return bad('constant numbers as bounds');
    if (lo > hi) return ctx.report('SYN3034', at, { what: `@${name}`, low: lo, high: hi });
    if (name !== 'range' && (lo < 0 || !Number.isInteger(lo) || !Number.isInteger(hi))) return bad('non-negative integer bounds');
    if (name === 'range' && base.k === 'int' && (!Number.isInteger(lo) || !Number.isInteger(hi))) return bad('integer bounds on an int field');
  } else if (name === 'unique') {
    if (c.args.length !== 0) return bad('no arguments: @unique');
  } else if (name === 'pattern' || name === 'desc') {
    if (c.args.length !== 1 || arg?.kind !== 'String') return bad('one string');
    if (name === 'pattern') {
      try {
        new RegExp(arg.value, 'u');
      } catch (err) {
        ctx.report('SYN3035', at, { error: (err as Error).message });
      }
    }
  }
}
