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
  | { k: 'record'; name: string; fields: Map<string, Ty> } // anonymous rows: sim events, chunks, literals
  | { k: 'array'; elem: Ty }
  | { k: 'optional'; inner: Ty }
  | { k: 'union'; members: string[] }
  | { k: 'null' }
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
    default:
      return t.k;
  }
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
