// Built-ins of simulation code, defined once: every overload the checker accepts is listed here, the lowering
// (lower.ts) turns each into IR from this table, and the two printers (js.ts, wgsl.ts) print that IR. Nothing
// else decides what `clamp(v, lo, hi)` means, so a vector overload cannot be a scalar call in one printer and a
// vector call in the other.
//
// All of them are `exact`: the CPU and WebGPU backends give bit-identical results. min/max/abs/floor/ceil and
// select are single correctly rounded (or exact) operations; sqrt, exp, log, sin, cos, tanh, pow and the vector
// functions built on them are not the GPU driver's (WGSL only bounds those to a few ULP, and each driver has its
// own) but the same f32 polynomials in both printers (xmath.ts), so they round identically everywhere.
import type { DiagnosticArgs } from '../../base/diagnostics.js';
import { isNumericT, isVec, type SimType } from './types.js';

/** A concrete IR type: what `int` literals and `unknown` resolve to. */
export type Ty = 'f32' | 'i32' | 'u32' | 'bool' | 'vec2f' | 'vec3f' | 'vec4f';

const VECS = ['vec2f', 'vec3f', 'vec4f'] as const;
const FLOATS = ['f32', ...VECS] as const;
const NUMBERS = ['f32', 'i32', 'u32', ...VECS] as const;
const ALL = ['f32', 'i32', 'u32', 'bool', ...VECS] as const;

/** One overload family: `params` and `result` are concrete types or `T`, which ranges over `types`. */
export interface Overloads {
  params: readonly (Ty | 'T')[];
  result: Ty | 'T';
  types: readonly Ty[];
}

export interface SimFn {
  signature: string;
  doc: string;
  /** bit-identical on both backends (see the header comment) */
  exact: boolean;
  overloads: Overloads;
}

/** The names of the built-in functions; each printer has a case for each (a missing one is a type error). */
export type SimFnName = 'min' | 'max' | 'clamp' | 'abs' | 'floor' | 'ceil' | 'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'pow' | 'select' | 'length' | 'dot' | 'normalize' | 'distance';

const fn = (signature: string, doc: string, params: readonly (Ty | 'T')[], result: Ty | 'T', types: readonly Ty[]): SimFn => ({ signature, doc, exact: true, overloads: { params, result, types } });

/** Indexed by any name (the language server looks names up), with a case for each built-in. */
export const SIM_FUNCTIONS: Record<SimFnName, SimFn> & Readonly<Record<string, SimFn>> = {
  min: fn('min(a, b)', 'the smaller value (per component for vectors)', ['T', 'T'], 'T', NUMBERS),
  max: fn('max(a, b)', 'the larger value (per component for vectors)', ['T', 'T'], 'T', NUMBERS),
  clamp: fn('clamp(x, lo, hi)', 'x limited to [lo, hi]: min(max(x, lo), hi), per component for vectors', ['T', 'T', 'T'], 'T', NUMBERS),
  abs: fn('abs(x)', 'absolute value (per component for vectors)', ['T'], 'T', NUMBERS),
  floor: fn('floor(x)', 'round down (per component for vectors)', ['T'], 'T', FLOATS),
  ceil: fn('ceil(x)', 'round up (per component for vectors)', ['T'], 'T', FLOATS),
  sqrt: fn('sqrt(x)', 'square root, correctly rounded (per component for vectors)', ['T'], 'T', FLOATS),
  exp: fn('exp(x)', 'e to the x (per component for vectors)', ['T'], 'T', FLOATS),
  log: fn('log(x)', 'natural logarithm (per component for vectors)', ['T'], 'T', FLOATS),
  sin: fn('sin(x)', 'sine of x radians (per component for vectors)', ['T'], 'T', FLOATS),
  cos: fn('cos(x)', 'cosine of x radians (per component for vectors)', ['T'], 'T', FLOATS),
  tanh: fn('tanh(x)', 'hyperbolic tangent (per component for vectors)', ['T'], 'T', FLOATS),
  pow: fn('pow(x, y)', 'x to the y, exp(y · log(x)): NaN for x < 0 (per component for vectors)', ['T', 'T'], 'T', FLOATS),
  select: fn('select(if_false, if_true, cond)', 'if_true when cond holds, else if_false (WGSL argument order)', ['T', 'T', 'bool'], 'T', ALL),
  length: fn('length(v)', 'vector length: sqrt(dot(v, v))', ['T'], 'f32', VECS),
  dot: fn('dot(a, b)', 'dot product, summed from the first component', ['T', 'T'], 'f32', VECS),
  normalize: fn('normalize(v)', 'unit vector v · (1 / length(v)); NaN for a zero vector', ['T'], 'T', VECS),
  distance: fn('distance(a, b)', 'distance between points: length(a − b)', ['T', 'T'], 'f32', VECS),
};

export function isSimFn(name: string): name is SimFnName {
  return Object.prototype.hasOwnProperty.call(SIM_FUNCTIONS, name);
}

/** A resolved call: concrete parameter types (what literals become) and the result (`int` while literals adapt). */
export interface Resolved {
  params: Ty[];
  result: SimType;
}

const isScalarNum = (t: Ty) => t === 'f32' || t === 'i32' || t === 'u32';

/** Does an argument of checker type `a` fit parameter type `p`? Integer literals fit any scalar number. */
function fits(a: SimType, p: Ty): boolean {
  return a === 'unknown' || a === p || (a === 'int' && isScalarNum(p));
}

/** Why no overload fits a call: its diagnostic code and arguments (SYN2032's `index` is 1-based). */
export type CallProblem =
  | { code: 'SYN2010'; args: DiagnosticArgs<'SYN2010'> }
  | { code: 'SYN2032'; args: DiagnosticArgs<'SYN2032'> & { index: number } }
  | { code: 'SYN2014'; args: DiagnosticArgs<'SYN2014'> }
  | { code: 'SYN2015'; args: DiagnosticArgs<'SYN2015'> }
  | { code: 'SYN2037'; args: DiagnosticArgs<'SYN2037'> };

/**
 * Resolves a call against the table: the overload whose `T` every argument fits. When only integer literals
 * decide it and several fit (`min(1, 2)`), the result stays `int`, like WGSL's abstract int, and adapts to its
 * use. Returns the problem when nothing fits.
 */
export function resolveCall(name: SimFnName, args: SimType[]): Resolved | { problem: CallProblem } {
  const f = SIM_FUNCTIONS[name];
  const o = f.overloads;
  if (args.length !== o.params.length) return { problem: { code: 'SYN2010', args: { callee: f.signature, expected: `${o.params.length} argument${o.params.length === 1 ? '' : 's'}`, found: args.length } } };
  const matches = o.types.filter((T) => o.params.every((p, i) => fits(args[i]!, p === 'T' ? T : p)));
  if (matches.length === 0) return { problem: mismatch(name, args) };
  const T = matches[0]!;
  const params = o.params.map((p) => (p === 'T' ? T : p));
  let result: SimType = o.result === 'T' ? T : o.result;
  // every argument in a `T` position an integer literal (or unknown), and more than one type fits: still abstract
  const tArgs = o.params.map((p, i) => (p === 'T' ? args[i]! : 'x')).filter((a) => a !== 'x');
  if (o.result === 'T' && matches.length > 1 && tArgs.every((a) => a === 'int' || a === 'unknown')) result = tArgs.some((a) => a === 'unknown') ? 'unknown' : 'int';
  return { params, result };
}

function mismatch(name: SimFnName, args: SimType[]): CallProblem {
  const { signature, overloads: o } = SIM_FUNCTIONS[name];
  const tArgs = args.filter((_, i) => o.params[i] === 'T');
  const fixed = o.params.findIndex((p, i) => p !== 'T' && !fits(args[i]!, p));
  if (fixed >= 0) return { code: 'SYN2032', args: { index: fixed + 1, signature, expected: o.params[fixed]!, found: args[fixed]! } };
  const what = `the arguments of ${name}`;
  if (tArgs.some(isVec) && !tArgs.every((a) => a === tArgs[0])) return { code: 'SYN2014', args: { what: `the vector ${what}`, first: tArgs[0]!, other: tArgs.find((a) => a !== tArgs[0])! } };
  const distinct = [...new Set(tArgs.filter((a) => a !== 'int'))];
  if (distinct.length > 1) return { code: 'SYN2014', args: { what, first: distinct[0]!, other: distinct[1]! } };
  const t = distinct[0] ?? 'int';
  const expected = describe(o.types);
  if (o.types.includes('f32') && (t === 'i32' || t === 'u32')) return { code: 'SYN2037', args: { signature, expected, found: t } };
  return { code: 'SYN2015', args: { signature, expected, found: t } };
}

function describe(types: readonly Ty[]): string {
  if (types === VECS) return 'vectors of one type';
  if (types === FLOATS) return 'f32 or a vector';
  if (types === NUMBERS) return 'numbers or vectors of one type';
  return types.join(', ');
}

export interface SimRandom {
  signature: string;
  doc: string;
  params: SimType[];
  result: SimType;
}

export const SIM_RANDOM: Record<string, SimRandom> = {
  uniform: { signature: 'uniform(lo, hi)', doc: 'f32 uniform in [lo, hi)', params: ['f32', 'f32'], result: 'f32' },
  normal: { signature: 'normal(mean, sd)', doc: 'normally distributed f32 (Box–Muller)', params: ['f32', 'f32'], result: 'f32' },
  randint: { signature: 'randint(lo, hi)', doc: 'integer uniform in [lo, hi], both ends included', params: ['int', 'int'], result: 'i32' },
  bernoulli: { signature: 'bernoulli(p)', doc: 'true with probability p', params: ['f32'], result: 'bool' },
};

export type SimReduction = 'min' | 'max' | 'sum' | 'count' | 'mean' | 'any' | 'all';
export const SIM_REDUCTIONS: readonly string[] = ['min', 'max', 'sum', 'count', 'mean', 'any', 'all'];

/** Fields of the other agent in a reduction besides its states: `o.agent` is its index in the world. */
export const REDUCTION_BINDER_FIELDS: Record<string, SimType> = { agent: 'u32' };

export interface SimSetting {
  /** `int` settings take a constant integer in [min, max]; `bool` settings take true or false */
  kind: 'int' | 'bool';
  min: number;
  max: number;
  doc: string;
}

export const SIM_SETTINGS: Record<string, SimSetting> = {
  worlds: { kind: 'int', min: 1, max: 1 << 26, doc: 'independent instances run in parallel' },
  agents: { kind: 'int', min: 1, max: 1 << 16, doc: 'agents per world' },
  steps: { kind: 'int', min: 1, max: 1 << 24, doc: 'steps to simulate' },
  seed: { kind: 'int', min: 0, max: 0xffffffff, doc: 'overrides the goal seed for this simulation' },
  max_events: { kind: 'int', min: 1, max: 1 << 26, doc: 'capacity of each event buffer (overflow is an error, never silent)' },
  finite_outputs: {
    kind: 'int',
    min: 0,
    max: 1,
    doc: '1 (default): observed and emitted floats must be finite (SYN6006 otherwise); 0: let NaN and ±Infinity through',
  },
};
