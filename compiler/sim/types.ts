// Types of simulation values. `int` is the type of an integer literal before it meets another operand
// (like WGSL's abstract int): `x + 1` is f32 when x is.
export type SimType = 'f32' | 'i32' | 'u32' | 'bool' | 'vec2f' | 'vec3f' | 'vec4f' | 'int' | 'unknown';

/** Is `t` a vector type (vec2f, vec3f, vec4f)? */
export function isVec(t: SimType): t is 'vec2f' | 'vec3f' | 'vec4f' {
  return t === 'vec2f' || t === 'vec3f' || t === 'vec4f';
}

/** The number of components of a vector type; 1 for a scalar. */
export function vecSize(t: SimType): number {
  return isVec(t) ? Number(t[3]) : 1;
}

/** Is `t` a number (f32, i32, u32, an integer literal) or unknown after an error? */
export function isNumericT(t: SimType): boolean {
  return t === 'f32' || t === 'i32' || t === 'u32' || t === 'int' || t === 'unknown';
}

/** The concrete type of a value (integer literals default to i32). */
export function concrete(t: SimType): Exclude<SimType, 'int' | 'unknown'> {
  if (t === 'int' || t === 'unknown') return 'i32';
  return t;
}

export const SIM_TYPE_NAMES: ReadonlySet<string> = new Set(['f32', 'i32', 'u32', 'bool', 'vec2f', 'vec3f', 'vec4f', 'int', 'unknown']);
