// Semantic types of dataset-side values (records, prompt parameters and returns, expressions in clauses).
// Simulation types (f32, u32, vec2f, ...) are checked by compiler/sim; when sim values flow into datasets they
// map to these (f32 → float, i32/u32 → int, bool → bool, vecNf → record {x, y, ...}).
import type * as A from '../grammar/ast.js';

export type Ty =
  | { k: 'string' }
  | { k: 'int' }
  | { k: 'float' }
  | { k: 'bool' }
  | { k: 'image' }
  | { k: 'date' } // a calendar day, ISO 8601 `YYYY-MM-DD`
  | { k: 'datetime' } // an instant, ISO 8601 in UTC with milliseconds (`Date.prototype.toISOString`)
  | { k: 'duration' }
  | { k: 'enum'; name: string }
  | { k: 'struct'; name: string }
  // anonymous rows: sim events, chunks, literals; `omittable`: optional fields are left out rather than null
  | { k: 'record'; name: string; fields: Map<string, Ty>; omittable?: true }
  | { k: 'array'; elem: Ty }
  | { k: 'optional'; inner: Ty }
  // `drawn`: the values a sampler draws (`one_of("a", "b")`, `weighted { a: …, b: … }`): it fills a field of a union
  // that has its members, and compares and matches like a string (`w == "c"` is not an error, as it was not when
  // such a variable was a string)
  | { k: 'union'; members: string[]; drawn?: true }
  | { k: 'null' }
  /** a model block as a value (`strong`, `vary m ~ one_of(strong, cheap)`): the blocks it may be, sorted */
  | { k: 'model'; models: string[] }
  | { k: 'unknown' }; // after an error: compatible with everything, so one mistake gives one diagnostic

export const T = {
  string: { k: 'string' } as Ty,
  int: { k: 'int' } as Ty,
  float: { k: 'float' } as Ty,
  bool: { k: 'bool' } as Ty,
  image: { k: 'image' } as Ty,
  date: { k: 'date' } as Ty,
  datetime: { k: 'datetime' } as Ty,
  duration: { k: 'duration' } as Ty,
  unknown: { k: 'unknown' } as Ty,
  null: { k: 'null' } as Ty,
};

export const PRIMITIVE_TYPES = new Set(['string', 'int', 'float', 'bool', 'image', 'date', 'datetime']);
export const SIM_SCALAR_TYPES = new Set(['f32', 'i32', 'u32', 'bool', 'vec2f', 'vec3f', 'vec4f']);

/** How a type is written in messages and hovers (`Ticket`, `string[]`, `int?`, `"a" | "b"`). */
export function show(t: Ty): string {
  switch (t.k) {
    case 'enum':
    case 'struct':
      return t.name;
    case 'record':
      return t.name || `{ ${[...t.fields].map(([k, v]) => `${k}: ${show(v)}`).join(', ')} }`;
    case 'array':
      return `${show(t.elem)}[]`;
    case 'optional':
      return `${show(t.inner)}?`;
    case 'union':
      return t.members.map((m) => JSON.stringify(m)).join(' | ');
    case 'model':
      return 'model';
    default:
      return t.k;
  }
}

/**
 * The type a variable takes from its first value, and what tool-call arguments are compared by: string literal
 * types widen to `string`, inside records, lists and optionals too (`let acc = ""` can become `acc + "x"`;
 * `{ a: "x" }` and `{ a: "y" }` are both `{ a: string }`). As TypeScript's `let` does.
 */
export function widenLiterals(t: Ty): Ty {
  switch (t.k) {
    case 'union':
      return T.string;
    case 'array':
      return { k: 'array', elem: widenLiterals(t.elem) };
    case 'optional':
      return { k: 'optional', inner: widenLiterals(t.inner) };
    case 'record':
      // a named record (`message`) has declared field types: only a literal's own record widens
      return t.name ? t : { ...t, fields: new Map([...t.fields].map(([k, v]) => [k, widenLiterals(v)])) };
    default:
      return t;
  }
}

/** A model value that may be any of the blocks of `a` and `b`. */
export function modelUnion(a: Extract<Ty, { k: 'model' }>, b: Extract<Ty, { k: 'model' }>): Ty {
  return { k: 'model', models: [...new Set([...a.models, ...b.models])].sort() };
}

/** The type of a value that is `a` or `b` (a list's items, `one_of`, `if_else`, `match` arms): models join their
 *  blocks, an int and a float give float, string literals give their union; otherwise the first known type. */
export function joinTypes(a: Ty, b: Ty): Ty {
  if (a.k === 'unknown') return b;
  if (b.k === 'unknown') return a;
  if (a.k === 'model' && b.k === 'model') return modelUnion(a, b);
  if ((a.k === 'int' && b.k === 'float') || (a.k === 'float' && b.k === 'int')) return T.float;
  if (a.k === 'union' && b.k === 'union') return { k: 'union', members: [...new Set([...a.members, ...b.members])], ...(a.drawn || b.drawn ? { drawn: true as const } : {}) };
  if ((a.k === 'union' && b.k === 'string') || (a.k === 'string' && b.k === 'union')) return T.string;
  if (a.k === 'optional' && b.k === 'null') return a;
  if (a.k === 'null' && b.k !== 'null') return b.k === 'optional' ? b : { k: 'optional', inner: b };
  if (b.k === 'null' && a.k !== 'null') return { k: 'optional', inner: a };
  return a;
}

/**
 * May `==`/`!=` compare values of types `l` and `r`: one fits the other, or both are text and they can be equal —
 * unions that share a member, or a drawn union (whose variable was a string before it had members) with any text.
 */
export function comparable(l: Ty, r: Ty): boolean {
  if (assignable(l, r) || assignable(r, l)) return true;
  if (!isStringy(l) || !isStringy(r)) return false;
  if ((l.k === 'union' && l.drawn) || (r.k === 'union' && r.drawn)) return true;
  return l.k === 'union' && r.k === 'union' && l.members.some((m) => r.members.includes(m));
}

/** Is `t` int, float or unknown (after an error, compatible with everything)? */
export function isNumeric(t: Ty): boolean {
  return t.k === 'int' || t.k === 'float' || t.k === 'unknown';
}

/** Is `t` text: a string, a union of string literals, or unknown? */
export function isStringy(t: Ty): boolean {
  return t.k === 'string' || t.k === 'union' || t.k === 'unknown';
}

/** Can a value of type `from` be used where `to` is expected? int widens to float; a union is a string. */
export function assignable(from: Ty, to: Ty): boolean {
  if (from.k === 'unknown' || to.k === 'unknown') return true;
  if (to.k === 'optional') return from.k === 'null' || assignable(from.k === 'optional' ? from.inner : from, to.inner);
  if (from.k === 'optional') return false;
  switch (to.k) {
    case 'float':
      return from.k === 'float' || from.k === 'int';
    case 'string':
      return from.k === 'string' || from.k === 'union';
    case 'enum':
    case 'struct':
      return from.k === to.k && from.name === to.name;
    case 'union':
      return from.k === 'union' && from.members.every((m) => to.members.includes(m));
    case 'array':
      return from.k === 'array' && assignable(from.elem, to.elem);
    case 'record':
      return from.k === 'record' && [...to.fields].every(([k, v]) => from.fields.has(k) && assignable(from.fields.get(k)!, v));
    default:
      return from.k === to.k;
  }
}

/** Are `a` and `b` assignable both ways? */
export function sameType(a: Ty, b: Ty): boolean {
  return assignable(a, b) && assignable(b, a);
}

/** The type a sim value has when a dataset reads it. */
export function fromSimType(name: string): Ty {
  switch (name) {
    case 'f32':
      return T.float;
    case 'i32':
    case 'u32':
      return T.int;
    case 'bool':
      return T.bool;
    case 'vec2f':
    case 'vec3f':
    case 'vec4f': {
      const n = Number(name[3]);
      return { k: 'record', name: name, fields: new Map(['x', 'y', 'z', 'w'].slice(0, n).map((c) => [c, T.float])) };
    }
  }
  return T.unknown;
}

/** A type reference as written in the spec. */
export function typeRefText(t: A.TypeRef): string {
  switch (t.kind) {
    case 'NamedType':
      return t.name.name;
    case 'ArrayType':
      return typeRefText(t.element) + '[]';
    case 'OptionalType':
      return typeRefText(t.inner) + '?';
    case 'UnionType':
      return t.members.map((m) => JSON.stringify(m.value)).join(' | ');
  }
}
