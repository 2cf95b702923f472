// The `vary` samplers, by inverse transform from counter-based uniforms (see random.ts).
import type { Value } from './eval.js';
import type { Sampler } from './schema.js';

export type Draw = () => number;

/**
 * The rows a `row` sampler draws from (a table's or a dataset's, in their order), with the running sum of their
 * weights when the draw is weighted (`cumulative[i]` = weights of rows 0..i; non-decreasing, last > 0).
 */
export interface RowPool {
  rows: Value[];
  cumulative?: Float64Array;
}

/** What some samplers need besides uniforms: the row's index (`seq()`) and the pools of `row` draws. */
export interface SampleContext {
  /** the row's index (0-based) */
  index?: number;
  /** the pool of a `row` draw, by source or dataset and weight column */
  pools?: (from: string, weight?: string) => RowPool | undefined;
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
 * One draw of sampler `s`, by inverse transform from uniforms in [0, 1) taken from `u` (normal takes two).
 * `choice` returns a value by weight; `randint` both ends included; `poisson` by sequential search (capped at
 * 10,000, far beyond the rates the checker accepts); `row` a row of `ctx.pools` (drawRow); `uuid` a v4 UUID from
 * four uniforms; `seq` `ctx.index + 1`. Throws Error for a `row` draw without its pool (a runtime bug).
 */
export function sample(s: Sampler, u: Draw, ctx: SampleContext = {}): Value {
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
        if (x < 0) return s.values[i]!;
      }
      return s.values[s.values.length - 1]!;
    }
    case 'uniform':
      return s.low + (s.high - s.low) * u();
    case 'normal': {
      // Box–Muller; 1 - u() keeps the log argument in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - u()));
      return s.mean + s.sd * r * Math.cos(2 * Math.PI * u());
    }
    case 'randint':
      return s.low + Math.floor(u() * (s.high - s.low + 1));
    case 'bernoulli':
      return u() < s.p;
    case 'poisson': {
      // Inversion by sequential search: exact, and fast for the small rates datasets use.
      const x0 = u();
      let k = 0;
      let p = Math.exp(-s.lambda);
      let cdf = p;
      while (x0 > cdf && k < 10_000) {
        k++;
        p *= s.lambda / k;
        cdf += p;
      }
      return k;
    }
  }
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
