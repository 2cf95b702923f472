// Built-ins of simulation code. Both code generators (JavaScript for the CPU backend, WGSL for WebGPU)
// implement exactly these. `exact` says whether the CPU and GPU results are bit-identical: arithmetic,
// comparisons, min/max/clamp/abs/select/floor/ceil and the integer ops are; transcendental functions
// (sqrt, exp, log, sin, cos, pow, ...) are computed by the GPU driver to WGSL's stated precision, not
// correctly rounded, so they may differ in the last bits.
import { isNumericT, isVec, type SimType } from './types.js';

export interface SimFn {
  signature: string;
  doc: string;
  exact: boolean;
  result(args: SimType[]): SimType | string;
}

const unifyNum = (ts: SimType[]): SimType | undefined => {
  let t: SimType = 'int';
  for (const x of ts) {
    if (x === 'unknown') return 'unknown';
    if (x === 'int') continue;
    if (t === 'int') t = x;
    else if (t !== x) return undefined;
  }
  return t;
};

function numeric(n: number, sig: string, doc: string, exact: boolean, floatOnly = false): SimFn {
  return {
    signature: sig,
    doc,
    exact,
    result(args) {
      if (args.length !== n) return `takes ${n} argument${n === 1 ? '' : 's'}`;
      if (args.some((a) => isVec(a))) {
        if (args.every((a) => a === args[0])) return args[0]!;
        return 'vector arguments must have the same type';
      }
      if (!args.every(isNumericT)) return 'needs numbers';
      const t = unifyNum(args);
      if (!t) return `arguments must have one type (got ${args.join(', ')})`;
      if (floatOnly && t !== 'f32' && t !== 'int' && t !== 'unknown') return `needs f32 (got ${t}; convert with f32(...))`;
      return floatOnly && t === 'int' ? 'f32' : t;
    },
  };
}

export const SIM_FUNCTIONS: Record<string, SimFn> = {
  min: numeric(2, 'min(a, b)', 'the smaller value', true),
  max: numeric(2, 'max(a, b)', 'the larger value', true),
  clamp: numeric(3, 'clamp(x, lo, hi)', 'x limited to [lo, hi]', true),
  abs: numeric(1, 'abs(x)', 'absolute value', true),
  floor: numeric(1, 'floor(x)', 'round down', true, true),
  ceil: numeric(1, 'ceil(x)', 'round up', true, true),
  sqrt: numeric(1, 'sqrt(x)', 'square root', false, true),
  exp: numeric(1, 'exp(x)', 'e to the x', false, true),
  log: numeric(1, 'log(x)', 'natural logarithm', false, true),
  sin: numeric(1, 'sin(x)', 'sine', false, true),
  cos: numeric(1, 'cos(x)', 'cosine', false, true),
  tanh: numeric(1, 'tanh(x)', 'hyperbolic tangent', false, true),
  pow: numeric(2, 'pow(x, y)', 'x to the y', false, true),
  select: {
    signature: 'select(if_false, if_true, cond)',
    doc: 'if_true when cond holds, else if_false (WGSL argument order)',
    exact: true,
    result(args) {
      if (args.length !== 3) return 'takes 3 arguments';
      if (args[2] !== 'bool' && args[2] !== 'unknown') return 'the third argument is the bool condition';
      const t = args[0] === args[1] ? args[0]! : unifyNum([args[0]!, args[1]!]);
      if (!t) return `both values must have one type (got ${args[0]} and ${args[1]})`;
      // integer literals stay abstract, like WGSL's: select(0, 1, c) adapts to an i32 or u32 use
      return t;
    },
  },
  length: { signature: 'length(v)', doc: 'vector length', exact: false, result: (a) => (a.length === 1 && isVec(a[0]!) ? 'f32' : 'takes one vector') },
  dot: { signature: 'dot(a, b)', doc: 'dot product', exact: true, result: (a) => (a.length === 2 && isVec(a[0]!) && a[0] === a[1] ? 'f32' : 'takes two vectors of one type') },
  normalize: { signature: 'normalize(v)', doc: 'unit vector', exact: false, result: (a) => (a.length === 1 && isVec(a[0]!) ? a[0]! : 'takes one vector') },
  distance: { signature: 'distance(a, b)', doc: 'distance between points', exact: false, result: (a) => (a.length === 2 && isVec(a[0]!) && a[0] === a[1] ? 'f32' : 'takes two vectors of one type') },
};

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

export const SIM_REDUCTIONS = ['min', 'max', 'sum', 'count', 'mean', 'any', 'all'];

export const SIM_SETTINGS: Record<string, { min: number; max: number; doc: string }> = {
  worlds: { min: 1, max: 1 << 26, doc: 'independent instances run in parallel' },
  agents: { min: 1, max: 1 << 16, doc: 'agents per world' },
  steps: { min: 1, max: 1 << 24, doc: 'steps to simulate' },
  seed: { min: 0, max: 0xffffffff, doc: 'overrides the goal seed for this simulation' },
  max_events: { min: 1, max: 1 << 26, doc: 'capacity of each event buffer (overflow is an error, never silent)' },
  finite_outputs: { min: 0, max: 1, doc: '1 (default): observed and emitted floats must be finite (SYN6002 otherwise); 0: let NaN and ±Infinity through' },
};
