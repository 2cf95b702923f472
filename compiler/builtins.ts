// Built-in functions of dataset expressions (`check`, `row = {...}`, `let`, templates) and of `expect`
// aggregates, and the samplers of `vary`. The runtime implements exactly these (runtime/eval.ts); the LSP
// offers them in completion with these docs.
import { T, isNumeric, type Ty } from './types.js';

export interface BuiltinFn {
  doc: string;
  signature: string;
  /** Returns the result type, or a string describing what is wrong with the arguments. */
  result(args: Ty[]): Ty | string;
}

const num = (t: Ty) => isNumeric(t);
const str = (t: Ty) => t.k === 'string' || t.k === 'union' || t.k === 'unknown' || t.k === 'enum';

function fixed(sig: string, doc: string, params: Array<(t: Ty) => boolean>, out: (args: Ty[]) => Ty): BuiltinFn {
  return {
    doc,
    signature: sig,
    result(args) {
      if (args.length !== params.length) return `${sig} takes ${params.length} argument${params.length === 1 ? '' : 's'}, got ${args.length}`;
      for (let i = 0; i < params.length; i++) if (!params[i]!(args[i]!)) return `argument ${i + 1} of ${sig} has the wrong type`;
      return out(args);
    },
  };
}

const widen = (a: Ty, b: Ty): Ty => (a.k === 'float' || b.k === 'float' ? T.float : a.k === 'unknown' ? b : a);

export const FUNCTIONS: Record<string, BuiltinFn> = {
  len: fixed('len(text | list)', 'length in characters, or number of items', [(t) => str(t) || t.k === 'array'], () => T.int),
  words: fixed('words(text)', 'number of whitespace-separated words', [str], () => T.int),
  lower: fixed('lower(text)', 'lower-case text', [str], () => T.string),
  upper: fixed('upper(text)', 'upper-case text', [str], () => T.string),
  trim: fixed('trim(text)', 'text without leading/trailing whitespace', [str], () => T.string),
  contains: fixed('contains(text, part)', 'does text contain part?', [str, str], () => T.bool),
  starts_with: fixed('starts_with(text, prefix)', 'does text start with prefix?', [str, str], () => T.bool),
  ends_with: fixed('ends_with(text, suffix)', 'does text end with suffix?', [str, str], () => T.bool),
  str: fixed('str(value)', 'the value as text', [() => true], () => T.string),
  join: fixed('join(list, separator)', 'list items joined with separator', [(t) => t.k === 'array' || t.k === 'unknown', str], () => T.string),
  round: fixed('round(x)', 'nearest integer', [num], () => T.int),
  floor: fixed('floor(x)', 'largest integer ≤ x', [num], () => T.int),
  ceil: fixed('ceil(x)', 'smallest integer ≥ x', [num], () => T.int),
  abs: fixed('abs(x)', 'absolute value', [num], (a) => a[0]!),
  min: fixed('min(a, b)', 'the smaller of a and b', [num, num], (a) => widen(a[0]!, a[1]!)),
  max: fixed('max(a, b)', 'the larger of a and b', [num, num], (a) => widen(a[0]!, a[1]!)),
  if_else: {
    doc: 'a if cond is true, otherwise b',
    signature: 'if_else(cond, a, b)',
    result(args) {
      if (args.length !== 3) return `if_else(cond, a, b) takes 3 arguments, got ${args.length}`;
      if (args[0]!.k !== 'bool' && args[0]!.k !== 'unknown') return 'the condition of if_else must be bool';
      const [, a, b] = args as [Ty, Ty, Ty];
      if (num(a) && num(b)) return widen(a, b);
      if (a.k === 'union' && b.k === 'union') return { k: 'union', members: [...new Set([...a.members, ...b.members])] };
      return a.k === 'unknown' ? b : a;
    },
  },
};

/** Aggregates over all rows, for `expect`. Their arguments are evaluated per row. */
export const AGGREGATES: Record<string, BuiltinFn> = {
  share: fixed('share(cond)', 'fraction of rows where cond holds', [(t) => t.k === 'bool' || t.k === 'unknown'], () => T.float),
  mean: fixed('mean(x)', 'mean of x over rows', [num], () => T.float),
  stddev: fixed('stddev(x)', 'standard deviation of x over rows', [num], () => T.float),
  sum: fixed('sum(x)', 'sum of x over rows', [num], () => T.float),
  quantile: fixed('quantile(x, q)', 'the q-quantile of x over rows', [num, num], () => T.float),
  min: fixed('min(x)', 'smallest x over rows', [num], () => T.float),
  max: fixed('max(x)', 'largest x over rows', [num], () => T.float),
  distinct: fixed('distinct(x)', 'distinct values of x divided by rows (1.0 = all different)', [() => true], () => T.float),
  rows: fixed('rows()', 'number of rows written', [], () => T.int),
};

export interface SamplerSpec {
  doc: string;
  signature: string;
}

export const SAMPLERS: Record<string, SamplerSpec> = {
  uniform: { signature: 'uniform(Enum) | uniform(low, high)', doc: 'every enum case equally likely, or a float uniform in [low, high)' },
  one_of: { signature: 'one_of(a, b, ...)', doc: 'one of the listed values, equally likely' },
  weighted: { signature: 'weighted { a: 0.6, b: 0.4 }', doc: 'enum cases or strings with probabilities summing to 1' },
  normal: { signature: 'normal(mean, sd)', doc: 'normally distributed float' },
  randint: { signature: 'randint(low, high)', doc: 'integer uniform in [low, high], both ends included' },
  bernoulli: { signature: 'bernoulli(p)', doc: 'true with probability p' },
  poisson: { signature: 'poisson(lambda)', doc: 'Poisson-distributed count' },
};
