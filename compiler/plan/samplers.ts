// The `vary` samplers, by inverse transform from counter-based uniforms (see random.ts).
import type { Sampler } from './schema.js';

export type Draw = () => number;

/**
 * One draw of sampler `s`, by inverse transform from uniforms in [0, 1) taken from `u` (normal takes two).
 * `choice` returns a value by weight; `randint` both ends included; `poisson` by sequential search (capped at
 * 10,000, far beyond the rates the checker accepts).
 */
export function sample(s: Sampler, u: Draw): string | number | boolean {
  switch (s.kind) {
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
