// How far a `vary` variable's realised values are from its declared distribution: the total variation
// distance, TV(P, Q) = ½ Σ |P(x) − Q(x)| (0: identical, 1: disjoint), between a `choice` sampler's normalised
// weights and the values' relative frequencies.
import type { Sampler } from '../../compiler/plan/schema.js';

export interface VaryDistance {
  distance: number;
  /** value → declared probability, in declared order */
  declared: Map<string, number>;
  /** value → realised share */
  realised: Map<string, number>;
}

/** TV distance for a `choice` sampler and exact value counts (keys `String(value)`); undefined otherwise. */
export function varyDistance(s: Sampler, counts: ReadonlyMap<string, number> | undefined): VaryDistance | undefined {
  if (s.kind !== 'choice' || !counts) return undefined;
  const n = [...counts.values()].reduce((a, b) => a + b, 0);
  if (n === 0) return undefined;
  const total = s.weights.reduce((a, b) => a + b, 0) || 1;
  const declared = new Map<string, number>();
  s.values.forEach((v, i) => declared.set(String(v), (declared.get(String(v)) ?? 0) + (s.weights[i] ?? 0) / total));
  const realised = new Map<string, number>();
  for (const [k, c] of counts) realised.set(k, c / n);
  let d = 0;
  for (const k of new Set([...declared.keys(), ...realised.keys()])) d += Math.abs((declared.get(k) ?? 0) - (realised.get(k) ?? 0));
  return { distance: d / 2, declared, realised };
}
