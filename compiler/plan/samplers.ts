// The `vary` samplers, by inverse transform from counter-based uniforms (see random.ts). A parameter may be an
// expression of the row's earlier `vary`s and its `for` item (schema.ts `Param`), evaluated before the draw; the
// number of uniforms a sampler takes never depends on its parameters, so a draw stays a pure function of its
// coordinates however the parameters come out.
import { dateToDays, daysToDate, datetimeToMillis, millisToDatetime, parseDate, parseDatetime } from './dates.js';
import { evaluate, EvalError, type Env, type Value } from './eval.js';
import { fakeDraw, type FakerSource } from './fake.js';
import type { Param, Sampler } from './schema.js';

export type Draw = () => number;

/** What a draw may need besides its uniforms. */
export interface SampleContext {
  /** the row's values so far (its `for` item and earlier `vary`s), for parameters that are expressions */
  env?: Env;
  /** faker instances by locale, for `fake` (the runtime loads them: runtime/dataset/fakers.ts) */
  fakers?: FakerSource;
  /** the row's index (0-based), for `seq()` */
  index?: number;
  /** the pool of a `row` draw, by source or dataset and weight column */
  pools?: (from: string, weight?: string) => RowPool | undefined;
}

/** The largest Poisson rate a draw accepts: e^-700 is still a normal double (the checker's limit too). */
export const MAX_POISSON_RATE = 700;

/** Is `p` an expression rather than a constant? */
export function isExprParam<T>(p: Param<T>): p is { expr: import('./expr-ir.js').ExprIR } {
  return typeof p === 'object' && p !== null && 'expr' in p;
}

/** Does `s` depend on the row (a parameter that is an expression)? Its declared distribution is then conditional. */
export function isConditional(s: Sampler): boolean {
  switch (s.kind) {
    case 'choice':
      return s.values.some(isExprParam);
    case 'uniform':
    case 'randint':
    case 'date':
    case 'datetime':
      return isExprParam(s.low) || isExprParam(s.high);
    case 'normal':
      return isExprParam(s.mean) || isExprParam(s.sd);
    case 'bernoulli':
      return isExprParam(s.p);
    case 'poisson':
      return isExprParam(s.lambda);
    case 'fake':
    case 'row':
    case 'uuid':
    case 'seq':
      return false;
  }
}

/**
 * The rows a `row` sampler draws from (a table's or a dataset's, in their order), with the running sum of their
 * weights when the draw is weighted (`cumulative[i]` = weights of rows 0..i; non-decreasing, last > 0).
 */
export interface RowPool {
  rows: Value[];
  cumulative?: Float64Array;
}

/** Row `k` of `pool` for a uniform `x` in [0, 1): uniformly, or by weight (binary search of the running sums). */
export function drawRow(pool: RowPool, x: number): Value {
  const n = pool.rows.length;
  if (!pool.cumulative) return pool.rows[Math.min(n - 1, Math.floor(x * n))]!;
  const c = pool.cumulative;
  const target = x * c[n - 1]!;
  // the first row whose running sum exceeds the target: rows of weight 0 are never drawn
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return pool.rows[lo]!;
}

/** A version-4 UUID (RFC 9562 §5.4) from four uniforms: 122 random bits, the version and variant bits fixed. */
export function uuidFrom(u: Draw): string {
  const hex: string[] = [];
  for (let k = 0; k < 4; k++) hex.push(Math.floor(u() * 4294967296).toString(16).padStart(8, '0'));
  const h = hex.join('');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * One draw of sampler `s`, by inverse transform from uniforms in [0, 1) taken from `u` (normal takes two, fake
 * two to seed faker). `choice` returns a value by weight; `randint` both ends included; `poisson` by sequential
 * search; `date` a whole day in [low, high]; `datetime` a millisecond in [low, high]. Parameters that are
 * expressions are evaluated in `ctx.env` first. `row` draws a row of `ctx.pools` (drawRow); `uuid` a v4 UUID from
 * four uniforms; `seq` is `ctx.index + 1`. Throws EvalError when a parameter computed for this row is outside
 * the distribution's domain (`sd ≤ 0`, `p > 1`, `low > high`, …): the row fails with that message, never a
 * silently wrong value. Constant parameters were checked when the spec was.
 */
export function sample(s: Sampler, u: Draw, ctx: SampleContext = {}): Value {
  const value = <T extends string | number | boolean>(p: Param<T>): Value => (isExprParam(p) ? evaluate(p.expr, ctx.env ?? new Map()) : p);
  const num = (p: Param<number>, what: string): number => {
    const v = value(p);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EvalError(`${what} is ${shownParameter(v)} for this row; it must be a finite number`);
    return v;
  };
  /** A domain condition on parameters computed for this row. */
  const need = (ok: boolean, signature: string, condition: string, got: string): void => {
    if (!ok) throw new EvalError(`${signature} needs ${condition}; this row has ${got}`);
  };
  switch (s.kind) {
    case 'row': {
      const pool = ctx.pools?.(s.from, s.weight);
      if (!pool) throw new Error(`no rows of '${s.from}' to draw from`);
      return drawRow(pool, u());
    }
    case 'uuid':
      return uuidFrom(u);
    case 'seq':
      return (ctx.index ?? 0) + 1;
    case 'choice': {
      const total = s.weights.reduce((a, b) => a + b, 0) || 1;
      let x = u() * total;
      for (let i = 0; i < s.values.length; i++) {
        x -= s.weights[i]!;
        if (x < 0) return value(s.values[i]!);
      }
      return value(s.values[s.values.length - 1]!);
    }
    case 'uniform': {
      const [low, high] = [num(s.low, 'uniform: low'), num(s.high, 'uniform: high')];
      need(low < high, 'uniform(low, high)', 'low < high', `low = ${low}, high = ${high}`);
      return low + (high - low) * u();
    }
    case 'normal': {
      const [mean, sd] = [num(s.mean, 'normal: mean'), num(s.sd, 'normal: sd')];
      need(sd > 0, 'normal(mean, sd)', 'sd > 0', `sd = ${sd}`);
      // Box–Muller; 1 - u() keeps the log argument in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - u()));
      return mean + sd * r * Math.cos(2 * Math.PI * u());
    }
    case 'randint': {
      const [low, high] = [num(s.low, 'randint: low'), num(s.high, 'randint: high')];
      need(Number.isInteger(low) && Number.isInteger(high) && low <= high, 'randint(low, high)', 'integers with low ≤ high', `low = ${low}, high = ${high}`);
      return low + Math.floor(u() * (high - low + 1));
    }
    case 'bernoulli': {
      const p = num(s.p, 'bernoulli: p');
      need(p >= 0 && p <= 1, 'bernoulli(p)', '0 ≤ p ≤ 1', `p = ${p}`);
      return u() < p;
    }
    case 'poisson': {
      const lambda = num(s.lambda, 'poisson: lambda');
      need(lambda > 0 && lambda <= MAX_POISSON_RATE, 'poisson(lambda)', `0 < lambda ≤ ${MAX_POISSON_RATE}`, `lambda = ${lambda}`);
      // Inversion by sequential search: exact, and fast for the small rates datasets use.
      const x0 = u();
      let k = 0;
      let p = Math.exp(-lambda);
      let cdf = p;
      while (x0 > cdf && k < 10_000) {
        k++;
        p *= lambda / k;
        cdf += p;
      }
      return k;
    }
    case 'date': {
      const [low, high] = [when(value(s.low), 'date', 'low'), when(value(s.high), 'date', 'high')];
      need(low <= high, 'uniform(low, high) of dates', 'low ≤ high', `low = ${low}, high = ${high}`);
      const [a, b] = [dateToDays(low), dateToDays(high)];
      return daysToDate(a + Math.floor(u() * (b - a + 1)))!;
    }
    case 'datetime': {
      const [low, high] = [when(value(s.low), 'datetime', 'low'), when(value(s.high), 'datetime', 'high')];
      need(low <= high, 'uniform(low, high) of datetimes', 'low ≤ high', `low = ${low}, high = ${high}`);
      const [a, b] = [datetimeToMillis(low), datetimeToMillis(high)];
      return millisToDatetime(a + Math.floor(u() * (b - a + 1)))!;
    }
    case 'fake': {
      const faker = ctx.fakers?.(s.locale);
      if (!faker) throw new EvalError(`fake: faker's locale ${s.locale} is not loaded`);
      return fakeDraw(s, faker, u);
    }
  }
}

/** A date or datetime bound computed for this row, in canonical form. */
function when(v: Value, kind: 'date' | 'datetime', what: string): string {
  const t = typeof v === 'string' ? (kind === 'date' ? parseDate(v) : parseDatetime(v)) : undefined;
  if (t === undefined) throw new EvalError(`uniform: ${what} is ${shownParameter(v)} for this row; it must be a ${kind}`);
  return t;
}

/** The values of a grid variable (grids enumerate constants only: the checker allows nothing else). */
export function gridValues(s: Sampler): Array<string | number | boolean> {
  return s.kind === 'choice' ? s.values.filter((v): v is string | number | boolean => !isExprParam(v)) : [];
}

/** Grid variables enumerate all combinations: combination i of the cartesian product, first variable slowest. */
export function gridCombination(values: Array<Array<string | number | boolean>>, i: number): Array<string | number | boolean> {
  const out: Array<string | number | boolean> = new Array(values.length);
  let rest = i;
  for (let v = values.length - 1; v >= 0; v--) {
    const n = values[v]!.length;
    out[v] = values[v]![rest % n]!;
    rest = Math.floor(rest / n);
  }
  return out;
}

/** A parameter value as a message shows it: JSON, but a number JSON cannot write as itself (JSON shows Infinity
 *  and NaN as `null`) as JavaScript writes it, with what it means. */
function shownParameter(v: unknown): string {
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN (not a number: 0/0, or Infinity - Infinity)';
  if (typeof v === 'number' && !Number.isFinite(v)) return `${String(v)} (past the largest float, about 1.8e308: an overflow or a division by 0)`;
  return JSON.stringify(v) ?? String(v);
}
