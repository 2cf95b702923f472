// The report's streaming histogram: exact counts in bounded memory, bars that suit the type, nice edges,
// and the same bars however the rows arrive.
import { describe, expect, it } from 'vitest';
import { EXACT_CAP, FINE_CAP, NumericCounts, type Bin } from '../../runtime/report/numeric-counts.js';
import { mulberry32, type Rng } from '../support/prng.js';

function countsOf(values: number[]): NumericCounts {
  const c = new NumericCounts();
  for (const v of values) c.add(v);
  return c;
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Checks bars against a brute-force count; values within float rounding of an edge may go either way. */
function expectExact(bins: Bin[], values: number[]): void {
  expect(bins.reduce((a, b) => a + b.count, 0)).toBe(values.length);
  const brute = bins.map(() => 0);
  let ambiguous = 0;
  for (const v of values) {
    const i = bins.findIndex((b, k) => v >= b.lo! && (v < b.hi! || k === bins.length - 1));
    expect(i, `value ${v} is in no bar`).toBeGreaterThanOrEqual(0);
    brute[i]!++;
    if (bins.some((b) => Math.abs(v - b.lo!) <= 1.2e-7 * Math.max(1, Math.abs(v)))) ambiguous++;
  }
  const off = bins.reduce((a, b, i) => a + Math.abs(b.count - brute[i]!), 0);
  expect(off).toBeLessThanOrEqual(2 * ambiguous);
}

const generators: Record<string, (rng: Rng) => number> = {
  'small ints': (r) => Math.floor(r() * 32),
  'wide ints': (r) => Math.floor(r() * 1_000_000) - 500_000,
  'uniform floats': (r) => r() * 1000,
  'normal floats': (r) => {
    const u = Math.max(1e-12, r());
    return 25 + 5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  },
  f32: (r) => Math.fround(r() * 30),
  'decimals on edges': (r) => Math.round(r() * 500) / 100,
  'tiny spread, big offset': (r) => 1.7e9 + r() * 0.01,
  'negative and positive': (r) => (r() - 0.5) * 1e-3,
  'heavy tail': (r) => 1 / Math.max(1e-6, r()),
};

describe('NumericCounts', () => {
  it.each(Object.keys(generators))('%s: exact bar counts, ≤ 30 bars, nice edges, same bars in any order', (name) => {
    const rng = mulberry32(name.length * 7919);
    for (const n of [1, 2, 50, 5000, 60_000]) {
      const values = Array.from({ length: n }, () => generators[name]!(rng));
      const c = countsOf(values);
      const bins = c.bins();
      expect(bins.length).toBeLessThanOrEqual(40);
      expectExact(bins, values);
      expect(c.min).toBe(values.reduce((a, b) => Math.min(a, b)));
      expect(c.max).toBe(values.reduce((a, b) => Math.max(a, b)));
      const mean = values.reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(c.mean - mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(mean)));
      for (const b of bins) {
        expect(b.label).not.toMatch(/e\+\d|\d\.\d*9999|NaN|undefined/);
        // widths below 0.0001 label in short exponent form (number-format.ts tickLabel), never a run of zeros
        if (b.label.includes('e')) expect(b.label).toMatch(/^-?\d(\.\d{1,3})?e-\d+(–-?\d(\.\d{1,3})?e-\d+)?$/);
        expect(b.label).not.toMatch(/^-?0\.0000/);
      }
      // widths are nice (1, 2 or 5 × 10^j) and edges are multiples of them
      if (bins.length > 1 && bins[0]!.hi! - bins[0]!.lo! !== 0) {
        const w = bins[1]!.lo! - bins[0]!.lo!;
        const mant = w / 10 ** Math.floor(Math.log10(w) + 1e-9);
        expect([1, 2, 5].some((m) => Math.abs(mant - m) < 1e-3) || c.allIntegers, `${name}: width ${w}`).toBe(true);
      }
      const again = countsOf(shuffle(values, rng)).bins();
      expect(again).toEqual(bins);
    }
  });

  it('integers spanning ≤ 40 values get one bar per value, empty ones included', () => {
    const agents = Array.from({ length: 32 * 100 }, (_, i) => i % 32).filter((v) => v !== 7);
    const bins = countsOf(agents).bins();
    expect(bins.map((b) => b.label)).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
    expect(bins[7]!.count).toBe(0);
    expect(bins[8]!.count).toBe(100);
  });

  it('integers on a common step get one bar per step (observations every 50 steps)', () => {
    const steps = Array.from({ length: 11 * 10 }, (_, i) => (i % 11) * 50);
    expect(countsOf(steps).bins().map((b) => b.label)).toEqual(['0', '50', '100', '150', '200', '250', '300', '350', '400', '450', '500']);
  });

  it('floats on a decimal grid get bars no narrower than the grid (no comb of empty bars)', () => {
    const tenths = Array.from({ length: 120 }, (_, i) => Math.fround((i % 12) / 10));
    const bins = countsOf(tenths).bins();
    expect(bins.map((b) => b.label)).toEqual(['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0', '1.1']);
    expect(bins.every((b) => b.count === 10)).toBe(true);
    // time_s = step * 0.1 in the traffic example: 1.9000000000000001 is a tenth, too
    const times = Array.from({ length: 500 }, (_, i) => i * 0.1);
    expect(countsOf(times).bins().every((b) => b.count > 0)).toBe(true);
  });

  it('wider integer ranges get integer-aligned bars labelled by their inclusive range', () => {
    const worlds = Array.from({ length: 1024 }, (_, i) => i);
    const bins = countsOf(worlds).bins();
    expect(bins[0]!.label).toBe('0–49');
    expect(bins.at(-1)!.label).toBe('1,000–1,023');
    for (const b of bins) expect(Number.isInteger(b.lo) && Number.isInteger(b.hi)).toBe(true);
  });

  it('stays bounded and exact over 2,000,000 distinct values (no spread of a huge array)', () => {
    const c = new NumericCounts();
    const rng = mulberry32(3);
    const bins0: number[] = [];
    for (let i = 0; i < 2_000_000; i++) {
      const v = rng() * 1e6;
      c.add(v);
      if (i < 200_000) bins0.push(v);
    }
    const internal = c as unknown as { fine?: Map<number, number>; exact?: Map<number, number> };
    expect(internal.exact).toBeUndefined();
    expect(internal.fine!.size).toBeLessThanOrEqual(FINE_CAP);
    const bins = c.bins();
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(2_000_000);
    expect(bins.length).toBeLessThanOrEqual(30);
    expect(Math.abs(c.quantile(0.5) - 5e5)).toBeLessThan(5e3);
    expect(EXACT_CAP).toBeGreaterThan(1000);
  });

  it('extreme magnitudes (±1e308, subnormals, 2^60) give bars that hold every value, promptly', () => {
    const rng = mulberry32(99);
    const cases: number[][] = [
      [-1.7e308, 1.7e308, 0, 1],
      [5e-324, 1e-323, 2e-323, 0],
      [2 ** 60, 2 ** 60 + 2 ** 10, 2 ** 61],
      Array.from({ length: 6000 }, () => (rng() * 2 - 1) * 1.7e308),
      Array.from({ length: 6000 }, () => rng() * 1e-310),
      Array.from({ length: 6000 }, (_, i) => 2 ** 62 + i * 2 ** 20),
    ];
    for (const values of cases) {
      const bins = countsOf(values).bins();
      expect(bins.length).toBeGreaterThan(0);
      expect(bins.length).toBeLessThanOrEqual(40);
      expect(bins.reduce((a, b) => a + b.count, 0)).toBe(values.length);
      for (const b of bins) expect(b.label).not.toMatch(/NaN|Infinity|undefined/);
    }
  });

  it('counts NaN and infinities apart and never bins them', () => {
    const c = countsOf([1, 2, NaN, Infinity, -Infinity, 3]);
    expect(c.nonFinite).toBe(3);
    expect(c.bins().reduce((a, b) => a + b.count, 0)).toBe(3);
  });

  it('a constant column is one bar', () => {
    expect(countsOf([Math.fround(0.1), Math.fround(0.1)]).bins()).toEqual([expect.objectContaining({ label: '0.1', count: 2 })]);
  });
});

describe('exact quantiles (adv17: the median of 0..59 read 29, the lower middle value)', () => {
  /** Type 7 on a sorted copy: the definition the report follows (R's and NumPy's default). */
  const type7 = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    const h = q * (s.length - 1);
    const lo = Math.floor(h);
    return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
  };

  it('the median of an even count is the mean of the two middle values', () => {
    expect(countsOf(Array.from({ length: 60 }, (_, i) => i)).quantile(0.5)).toBe(29.5);
    expect(countsOf([1, 2]).quantile(0.5)).toBe(1.5);
    expect(countsOf([5, 5, 7, 7]).quantile(0.5)).toBe(6);
    expect(countsOf([5, 5, 5, 7]).quantile(0.5)).toBe(5);
    expect(countsOf([3, 1, 2]).quantile(0.5)).toBe(2);
    expect(countsOf([4]).quantile(0.5)).toBe(4);
  });

  it('any values with repeats, any q: type 7 of the sorted values', () => {
    const rng = mulberry32(1717);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(rng() * 40);
      const xs = Array.from({ length: n }, () => Math.floor(rng() * 12) - 3);
      const q = [0, 0.25, 0.5, 0.75, 1, rng()][Math.floor(rng() * 6)]!;
      expect(countsOf(shuffle(xs, rng)).quantile(q), `${xs} q=${q}`).toBeCloseTo(type7(xs, q), 12);
    }
  });
});
