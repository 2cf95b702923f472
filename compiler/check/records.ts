// Values checked against the type they are written for, structurally and recursively: a record literal assigned
// to a struct-typed field (`row = { kind: "a", location: { x: e.x, y: e.y } }` with `location: Position`) is
// checked field by field against the struct, at any depth, and so are the items of a list literal
// (`stops: [{ x: 1.0, y: 2.0 }]` for `stops: Position[]`). Each mistake is reported where it is — the unknown key,
// the literal missing a field, the value of the wrong type — with the field's path (`field 'location.x' of
// Incident`). A value that is not a literal (a `let`, a sim event's vector) fits a struct when its record type has
// the struct's fields, of fitting types (`fits`).
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { assignable, show, type Ty } from '../types.js';
import type { CheckContext } from './context.js';

/** What these checks need of the expression checker (expressions.ts's ExprChecker, over its scopes `S`). */
export interface ValueChecker<S> {
  readonly ctx: CheckContext;
  /** the type of `e` in `scope`, reporting its own mistakes */
  check(e: A.Expr, scope: S): Ty;
  /** the fields of struct `name` with their types; undefined if it is not a struct */
  structFields(name: string): Map<string, Ty> | undefined;
}

/** Where a value goes, for messages: the declared type that owns it and the field path so far. */
export interface Place {
  /** the outermost declared type, e.g. `Incident` */
  owner: string;
  /** the field path from it, e.g. `location.x`; empty for the value itself */
  path: string;
}

/**
 * Reports a value at the top of a checked literal (no field path yet) that does not fit `expected`, with the
 * caller's own code (a dataset's row: SYN2029; a prompt's argument: SYN2003). A field deeper down is SYN2030.
 */
export type TopMismatch = (span: A.Span, expected: string, found: string) => void;

/**
 * Checks `e` in `scope` as a value of type `want` at `place` and returns its type (`want` for a literal that fits,
 * so its fields read as the struct's). Record and list literals are checked entry by entry; any other value must
 * `fit`. Reports SYN2005 (unknown key), SYN2006 (missing field) and SYN2030 (a field of the wrong type) at the
 * exact node; a wrong type at the top goes to `top`.
 */
export function checkAgainst<S>(exprs: ValueChecker<S>, e: A.Expr, scope: S, want: Ty, place: Place, top: TopMismatch): Ty {
  const target = want.k === 'optional' ? want.inner : want;
  if (e.kind === 'Record') {
    const fields = target.k === 'struct' ? exprs.structFields(target.name) : target.k === 'record' ? target.fields : undefined;
    if (fields) return recordAgainst(exprs, e, scope, target, fields, place, top);
  }
  if (e.kind === 'Array' && target.k === 'array') {
    e.items.forEach((item, i) => checkAgainst(exprs, item, scope, target.elem, { ...place, path: `${place.path}[${i}]` }, top));
    exprs.ctx.exprTypes.set(e, target);
    return target;
  }
  const t = exprs.check(e, scope);
  if (fits(exprs, t, want)) return t;
  if (place.path) exprs.ctx.report('SYN2030', e.span, { field: place.path, owner: place.owner, expected: show(want), found: show(t) });
  else top(e.span, show(want), show(t));
  return t;
}

/** A record literal against a struct's (or record type's) `fields`. */
function recordAgainst<S>(exprs: ValueChecker<S>, e: A.RecordLit, scope: S, type: Ty, fields: Map<string, Ty>, place: Place, top: TopMismatch): Ty {
  const { ctx } = exprs;
  const typeName = show(type);
  const sym = type.k === 'struct' ? ctx.symbols.get(type.name) : undefined;
  const given = new Set<string>();
  // a misspelt key most likely meant a field the literal does not give yet
  const written = new Set(e.entries.map((en) => keyName(en.key)));
  const open = [...fields.keys()].filter((k) => !written.has(k));
  for (const en of e.entries) {
    const k = keyName(en.key);
    given.add(k);
    if (en.value.kind === 'Missing') continue; // a syntax error was reported; `key` may be a clause keyword
    const want = fields.get(k);
    if (!want) {
      exprs.check(en.value, scope);
      ctx.report('SYN2005', en.key.span, { type: typeName, name: k }, ctx.suggest(en.key.span, k, open.length ? open : fields.keys()));
      continue;
    }
    if (en.key.kind === 'Ident' && sym?.decl.kind === 'Struct') {
      const f = sym.decl.fields.find((x) => x.name.name === k);
      if (f) ctx.refer(en.key, { file: sym.file, span: f.name.span, kind: 'field', type: want, declName: sym.name });
    }
    checkAgainst(exprs, en.value, scope, want, { owner: place.owner, path: place.path ? `${place.path}.${k}` : k }, top);
  }
  for (const [k, t] of fields) {
    if (!given.has(k) && t.k !== 'optional') ctx.report('SYN2006', e.span, { type: typeName, name: k });
  }
  ctx.exprTypes.set(e, type);
  return type;
}

/**
 * Can a value of type `from` be used where `to` is expected? `assignable`, and also structurally: a record type
 * (a `let` of a record literal, a sim event's vector) fits a struct whose required fields it has, with no others,
 * each fitting; lists and optionals recursively.
 */
export function fits(exprs: Pick<ValueChecker<unknown>, 'structFields'>, from: Ty, to: Ty, depth = 0): boolean {
  if (assignable(from, to)) return true;
  if (depth > 32) return false; // a struct that contains itself: deep enough to be sure
  if (to.k === 'optional') return from.k === 'null' || fits(exprs, from.k === 'optional' ? from.inner : from, to.inner, depth + 1);
  if (to.k === 'array') return from.k === 'array' && fits(exprs, from.elem, to.elem, depth + 1);
  if (to.k === 'struct' && from.k === 'record') {
    const fields = exprs.structFields(to.name);
    if (!fields) return false;
    for (const k of from.fields.keys()) if (!fields.has(k)) return false;
    for (const [k, t] of fields) {
      const f = from.fields.get(k);
      if (f === undefined ? t.k !== 'optional' : !fits(exprs, f, t, depth + 1)) return false;
    }
    return true;
  }
  return false;
}
