// The lowered, typed IR of a sim's code: what the JavaScript printer (js.ts) and the WGSL printer (wgsl.ts)
// both print. lower.ts builds it once from the checked AST, so everything that decides a value — which overload
// a built-in call is, what type an integer literal takes, how a vector operand is broadcast, which agent a
// reduction reads, which draw site a call has — is decided in one place, and a printer only spells it.
//
// Every expression carries its concrete type. Operands of `arith`, `cmp` and `prim` have the node's type (or
// its element type for `cmp`): broadcasting a scalar over a vector is an explicit `splat`. Built-ins that are
// not single operations (sqrt, exp, sin, length, normalize, …, and the random distributions) are calls of
// library functions (`call`), whose bodies are themselves IR (xmath.ts): the same f32 operations, in the same
// order, on both backends.
import type { Ty } from './builtins.js';

export type { Ty };
export type Scalar = 'f32' | 'i32' | 'u32' | 'bool';
export type Vec = 'vec2f' | 'vec3f' | 'vec4f';

/** f32 arithmetic is correctly rounded on both backends; i32/u32 wraps; `div`/`rem` by an integer 0 give a / 0. */
export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'rem';
/** Integer bit operations (library code only; the language has none). Shift counts are taken mod 32. */
export type BitOp = 'and' | 'or' | 'xor' | 'shl' | 'shr';
export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
/**
 * Single operations with one result per component: `min`/`max` (for f32: `a < b ? a : b` and `a > b ? a :
 * b`, so a NaN operand picks the other one's position the same way everywhere), `abs`, `floor`, `ceil`,
 * `trunc` (toward zero); `clz` counts the leading zero bits of a u32 (32 for 0).
 */
export type PrimFn = 'min' | 'max' | 'abs' | 'floor' | 'ceil' | 'trunc' | 'clz';

export type Expr =
  | { k: 'const'; ty: Ty; v: number[] }
  /** a `let`, a function parameter or library `let` (scope local), the rule's working copy of a state, a param, or step/world/agent */
  | { k: 'var'; ty: Ty; scope: 'local' | 'state' | 'param' | 'builtin'; name: string }
  /** a state of the other agent inside a reduction; `snapshot` when the phase writes it (read the copy taken at phase start) */
  | { k: 'other'; ty: Ty; state: string; snapshot: boolean }
  /** `o.agent`: the other agent's index in the world */
  | { k: 'otherAgent'; ty: 'u32' }
  | { k: 'neg'; ty: Ty; a: Expr }
  | { k: 'not'; ty: 'bool'; a: Expr }
  | { k: 'arith'; ty: Ty; op: ArithOp; a: Expr; b: Expr }
  | { k: 'bits'; ty: 'i32' | 'u32'; op: BitOp; a: Expr; b: Expr }
  | { k: 'cmp'; ty: 'bool'; op: CmpOp; a: Expr; b: Expr }
  | { k: 'logic'; ty: 'bool'; op: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'prim'; ty: Ty; fn: PrimFn; args: Expr[] }
  /** numeric conversion between scalars: f32 → i32/u32 truncates and saturates (NaN → 0), bool → 0/1 */
  | { k: 'convert'; ty: Scalar; a: Expr }
  /** reinterprets the 32 bits (library code only) */
  | { k: 'bitcast'; ty: 'f32' | 'i32' | 'u32'; a: Expr }
  | { k: 'vec'; ty: Vec; args: Expr[] }
  | { k: 'splat'; ty: Vec; a: Expr }
  | { k: 'comp'; ty: 'f32'; a: Expr; i: number }
  /** `c ? t : f`; both sides are evaluated (they have no effects) */
  | { k: 'select'; ty: Ty; f: Expr; t: Expr; c: Expr }
  /** a library function (xmath.ts) */
  | { k: 'call'; ty: Ty; fn: string; args: Expr[] }
  /** the 32-bit counter-based hash of (seed, world, agent, step, site): the source of every random draw */
  | { k: 'rand'; ty: 'u32'; site: number }
  | { k: 'reduce'; ty: Ty; op: ReduceOp; body: Expr; where: Expr | null; dflt: Expr };

export type ExprKind = Expr['k'];
export type ReduceOp = 'min' | 'max' | 'sum' | 'count' | 'mean' | 'any' | 'all';

export type Stmt =
  | { k: 'let'; name: string; ty: Ty; value: Expr }
  /** writes the rule's working copy of a state */
  | { k: 'assign'; state: string; ty: Ty; value: Expr }
  | { k: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] }
  /** appends a row (world, agent, step, site, fields…) to event `event` (an index into the layout's events) */
  | { k: 'emit'; event: number; site: number; fields: Expr[] };

export interface Rule {
  name: string;
  when: Expr | null;
  body: Stmt[];
  /** states the rule reads or writes (each gets a working copy) */
  uses: string[];
  /** states the rule assigns */
  writes: string[];
}

export interface Phase {
  rules: Rule[];
  /** states any rule of the phase reads or writes */
  uses: string[];
  /** states any rule of the phase writes */
  writes: string[];
  /** states read through a reduction and written in this phase: read from a copy taken when the phase starts */
  snapshot: string[];
  /** does a rule of the phase read other agents (a neighbour reduction)? */
  reads_others: boolean;
}

/** A library function: parameters, `let`s in order, and a result expression (no statements, no effects). */
export interface FnDef {
  name: string;
  params: { name: string; ty: Ty }[];
  ret: Ty;
  lets: { name: string; value: Expr }[];
  result: Expr;
  /** one line on what it computes and where the formula comes from (printed above it) */
  doc: string;
  /**
   * The function is the correctly rounded IEEE operation of this name: a printer may use the platform's own
   * where that is correctly rounded too (JavaScript's Math.sqrt is; WGSL's sqrt is not required to be).
   */
  native?: 'sqrt';
}

export interface SimIR {
  /** state initialisers in declaration order; an initialiser may read the states before it */
  init: { state: string; ty: Ty; value: Expr }[];
  phases: Phase[];
  /** `check COND` invariants in declaration order (each reads the agent's state after a step) */
  invariants: Expr[];
  /** the library functions the code calls, callees before callers */
  lib: FnDef[];
}

/** Element type of a vector (or the type itself). */
export function elemOf(t: Ty): Scalar {
  return t === 'vec2f' || t === 'vec3f' || t === 'vec4f' ? 'f32' : t;
}

export function widthOf(t: Ty): number {
  return t === 'vec2f' ? 2 : t === 'vec3f' ? 3 : t === 'vec4f' ? 4 : 1;
}

export function isVecTy(t: Ty): t is Vec {
  return t === 'vec2f' || t === 'vec3f' || t === 'vec4f';
}

/** The vector type of `n` f32 components (n = 1: f32). */
export function vecOf(n: number): Ty {
  return n === 2 ? 'vec2f' : n === 3 ? 'vec3f' : n === 4 ? 'vec4f' : 'f32';
}

/** Calls `visit` on every expression of a tree, children first. */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  for (const c of children(e)) walkExpr(c, visit);
  visit(e);
}

export function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'const':
    case 'var':
    case 'other':
    case 'otherAgent':
    case 'rand':
      return [];
    case 'neg':
    case 'not':
    case 'convert':
    case 'bitcast':
    case 'splat':
    case 'comp':
      return [e.a];
    case 'arith':
    case 'bits':
    case 'cmp':
    case 'logic':
      return [e.a, e.b];
    case 'prim':
    case 'vec':
    case 'call':
      return e.args;
    case 'select':
      return [e.f, e.t, e.c];
    case 'reduce':
      return [e.body, ...(e.where ? [e.where] : []), e.dflt];
  }
}

/** Every expression of a statement list (conditions, values, event fields), for analyses. */
export function stmtExprs(stmts: Stmt[], out: Expr[] = []): Expr[] {
  for (const s of stmts) {
    switch (s.k) {
      case 'let':
      case 'assign':
        out.push(s.value);
        break;
      case 'if':
        out.push(s.cond);
        stmtExprs(s.then, out);
        stmtExprs(s.else, out);
        break;
      case 'emit':
        out.push(...s.fields);
        break;
    }
  }
  return out;
}

/** A compile-time error for a switch that misses a case. */
export function unreachable(x: never): never {
  throw new Error(`unhandled IR case: ${JSON.stringify(x)}`);
}
