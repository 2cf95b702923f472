// "Did you mean": exact within the comparison cap, bounded beyond it (compiler/suggest.ts).
import { describe, expect, it } from 'vitest';
import { closest, editDistance, MAX_COMPARISONS, MAX_SUGGESTED_LENGTH, NamePool, suggestStats } from '../../compiler/suggest.js';
import { mulberry32, type Rng } from '../support/prng.js';

/** The specification: the candidate at the least case-insensitive distance within reach, the first on a tie (none for an empty name). */
function reference(name: string, pool: string[]): string | undefined {
  if (!name) return undefined;
  const limit = name.length >= 4 ? Math.max(2, Math.floor(name.length / 3)) : 1;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of pool) {
    if (!c || c === name) continue;
    const d = naive(name.toLowerCase(), c.toLowerCase());
    if (d <= limit && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** Textbook Levenshtein (full table). */
function naive(a: string, b: string): number {
  const t = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i]![j] = Math.min(t[i - 1]![j]! + 1, t[i]![j - 1]! + 1, t[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return t[a.length]![b.length]!;
}

function word(rnd: Rng, alphabet = 'abcdeXY_1'): string {
  let w = '';
  const n = 1 + Math.floor(rnd() * 9);
  for (let i = 0; i < n; i++) w += alphabet[Math.floor(rnd() * alphabet.length)];
  return w;
}

/** One random edit (substitute, insert, delete, swap). */
function typo(w: string, rnd: Rng): string {
  const i = Math.floor(rnd() * w.length);
  const c = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rnd() * 26)]!;
  const r = rnd();
  if (r < 0.3) return w.slice(0, i) + c + w.slice(i + 1);
  if (r < 0.6) return w.slice(0, i) + c + w.slice(i);
  if (r < 0.85 || w.length < 2) return w.slice(0, i) + w.slice(i + 1);
  const j = Math.min(i, w.length - 2);
  return w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2);
}

describe('editDistance', () => {
  it('is Levenshtein, ignoring case', () => {
    const rnd = mulberry32(1);
    for (let i = 0; i < 2000; i++) {
      const a = word(rnd);
      const b = word(rnd);
      expect(editDistance(a, b)).toBe(naive(a.toLowerCase(), b.toLowerCase()));
    }
    expect(editDistance('Kitten', 'sitting')).toBe(3);
  });
});

describe('closest', () => {
  it('is exact on pools within the cap: plain lists, NamePools, several pools as one list', () => {
    const rnd = mulberry32(2);
    for (let i = 0; i < 1500; i++) {
      const pool = Array.from({ length: Math.floor(rnd() * 60) }, () => word(rnd));
      const name = rnd() < 0.5 && pool.length ? typo(pool[Math.floor(rnd() * pool.length)]!, rnd) : word(rnd);
      const want = reference(name, pool);
      expect(closest(name, pool)).toBe(want);
      expect(closest(name, new NamePool(pool))).toBe(want);
      const cut = Math.floor(rnd() * (pool.length + 1));
      expect(closest(name, pool.slice(0, cut), new NamePool(pool.slice(cut)))).toBe(want);
    }
  });

  it('computes at most MAX_COMPARISONS distances per pool, however large and similar the pool', () => {
    const pool = new NamePool(Array.from({ length: 30_000 }, (_, i) => `${['red', 'green', 'blue'][i % 3]}${Math.floor(i / 3)}`));
    const list = Array.from({ length: 30_000 }, (_, i) => `item${i}`);
    const rnd = mulberry32(3);
    for (let i = 0; i < 300; i++) {
      const name = typo(`${['red', 'green', 'blue'][i % 3]}${Math.floor(rnd() * 10_000)}`, rnd);
      const before = suggestStats.comparisons;
      closest(name, pool, list);
      expect(suggestStats.comparisons - before).toBeLessThanOrEqual(2 * MAX_COMPARISONS);
    }
  });

  it('beyond the cap, still finds a candidate as close as the name was to the one misspelt (nearly always), deterministically', () => {
    const names = Array.from({ length: 9_000 }, (_, i) => `${['red', 'green', 'blue'][i % 3]}_${Math.floor(i / 3)}`);
    const pool = new NamePool(names);
    const other = new NamePool(names);
    const rnd = mulberry32(4);
    let asClose = 0;
    const n = 500;
    for (let i = 0; i < n; i++) {
      const meant = names[Math.floor(rnd() * names.length)]!;
      const name = typo(meant, rnd);
      const got = closest(name, pool);
      expect(closest(name, other)).toBe(got); // another pool of the same names: the same answer
      if (name === meant || !got) continue;
      if (editDistance(name, got) <= editDistance(name, meant)) asClose++;
    }
    expect(asClose / n).toBeGreaterThan(0.95);
  });

  it('gives no suggestion for names over MAX_SUGGESTED_LENGTH, and nothing breaks on hostile names', () => {
    const long = 'a'.repeat(MAX_SUGGESTED_LENGTH + 1);
    expect(closest(long, [long.slice(1)])).toBeUndefined();
    expect(closest('x'.repeat(100_000), new NamePool(['x']))).toBeUndefined();
    expect(closest('', ['a'])).toBeUndefined();
    expect(closest('ab', ['', 'ab', 'AB'])).toBe('AB');
    expect(closest('naïve', ['naive', 'NAÏVE'])).toBe('NAÏVE');
  });
});
