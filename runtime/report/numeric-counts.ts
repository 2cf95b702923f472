// One pass over a numeric column in bounded memory, with exact histogram counts.
//
// Values are counted exactly (value → count) until a column has more than EXACT_CAP distinct values. Then they
// are counted in fine bins of width 10^exp, with exp chosen so the range so far spans about 1,000 bins; when
// more than FINE_CAP fine bins are in use, exp grows by one and ten neighbours merge into one — exactly, since
// every bin edge is a multiple of the new width. The display bins (`bins()`) have "nice" widths m × 10^j
// (m ∈ {1, 2, 5}, j ≥ exp), each a whole number of fine bins, so every count shown is exact; only quantiles are
// approximate once fine bins are in use (within one fine bin, ≤ 1/1,000 of the range seen when they began).
// Memory: at most max(EXACT_CAP, FINE_CAP) map entries per column, whatever the row count.

import { displayValue, exponentAxis, tickLabel } from './number-format.js';

export const EXACT_CAP = 4096;
export const FINE_CAP = 4096;

/** A bar of a histogram: axis `label`, the `range` it covers (for tooltips) and its exact `count`. */
export interface Bin {
  label: string;
  range: string;
  count: number;
  /** numeric bars: the values counted are lo ≤ v < hi (the last bar also holds v = hi) */
  lo?: number;
  hi?: number;
}

export interface BinOptions {
  /** at most this many bars (default 30) */
  maxBins?: number;
  /** integer columns spanning at most this many values get one bar per value (default 40) */
  perValueLimit?: number;
}

/**
 * `floor(q)`, except that a `q` within rounding error of an integer counts as that integer, so a value written
 * on a bin edge (0.29 → 0.29 × 100 = 28.999999999999996, or an f32's 0.28999999) lands in the bar that starts
 * there. `rel` is the values' relative precision (0 for integers); the tolerance never exceeds 1/100 of a bin,
 * so bins finer than the data's precision still floor.
 */
function floorSnapped(q: number, rel: number): number {
  if (rel === 0) return Math.floor(q);
  const r = Math.round(q);
  return Math.abs(q - r) <= Math.min(0.01, rel * Math.max(1, Math.abs(q))) ? r : Math.floor(q);
}

/** `v / 10^exp`, computed with an exact power of ten on the side that keeps it one rounding. */
function scaled(v: number, exp: number): number {
  return exp >= 0 ? v / 10 ** exp : v * 10 ** -exp;
}

export class NumericCounts {
  count = 0;
  min = Infinity;
  max = -Infinity;
  /** NaN and ±Infinity (possible in CSV input): counted, never binned */
  nonFinite = 0;
  allIntegers = true;
  /** every value is exactly a 32-bit float (a simulation's f32 state): printed by `shortestF32` */
  allF32 = true;
  private meanAcc = 0;
  private exact: Map<number, number> | undefined = new Map();
  private fine: Map<number, number> | undefined;
  /** fine bins have width 10^exp */
  private exp = 0;

  add(v: number): void {
    if (!Number.isFinite(v)) {
      this.nonFinite++;
      return;
    }
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    // Welford's running mean: no catastrophic growth of a running sum over millions of rows.
    this.meanAcc += (v - this.meanAcc) / this.count;
    if (this.allIntegers && !Number.isInteger(v)) this.allIntegers = false;
    if (this.allF32 && Math.fround(v) !== v) this.allF32 = false;
    if (this.exact) {
      this.exact.set(v, (this.exact.get(v) ?? 0) + 1);
      if (this.exact.size > EXACT_CAP) this.toFine();
      return;
    }
    this.addFine(v, 1);
  }

  get mean(): number {
    return this.count ? this.meanAcc : NaN;
  }

  /** Exact value → count while the column has at most EXACT_CAP distinct values; undefined after. */
  exactCounts(): ReadonlyMap<number, number> | undefined {
    return this.exact;
  }

  /** Distinct values, exact; undefined once there are more than EXACT_CAP. */
  get distinct(): number | undefined {
    return this.exact?.size;
  }

  /** How a value of this column prints (see number-format.ts). */
  display(v: number): string {
    return displayValue(v, this.allF32 && !this.allIntegers);
  }

  private toFine(): void {
    const exact = this.exact!;
    this.exact = undefined;
    // (a span past the double range — values near ±1.8e308 — is taken as the largest double)
    const span = Math.min(this.max - this.min, Number.MAX_VALUE);
    // fine bins no narrower than 1e-300: 10^-exp must stay a finite double
    this.exp = Math.max(-300, Math.ceil(Math.log10(span / 1000)));
    if (this.allIntegers && this.exp < 0) this.exp = 0;
    this.fine = new Map();
    for (const [v, c] of exact) this.addFine(v, c);
  }

  /** Relative precision of the values so far: integers are exact, f32 has 2^-23, doubles a few ulps. */
  private get rel(): number {
    return this.allIntegers ? 0 : this.allF32 ? 1.2e-7 : 1e-14;
  }

  private addFine(v: number, c: number): void {
    const fine = this.fine!;
    const k = floorSnapped(scaled(v, this.exp), this.rel);
    fine.set(k, (fine.get(k) ?? 0) + c);
    while (fine.size > FINE_CAP) this.coarsen();
  }

  private coarsen(): void {
    const merged = new Map<number, number>();
    for (const [k, c] of this.fine!) {
      const k10 = Math.floor(k / 10);
      merged.set(k10, (merged.get(k10) ?? 0) + c);
    }
    this.fine = merged;
    this.exp++;
  }

  /**
   * Histogram bars in value order. Integer columns: one bar per value when they span at most
   * `perValueLimit` values, else bars of an integer width (labels `10–19`). Other columns: bars of a nice
   * width whose edges are multiples of it (labels `4.5`, `1,000`). Empty bars inside the range are kept.
   */
  bins(opts: BinOptions = {}): Bin[] {
    const maxBins = opts.maxBins ?? 30;
    const perValue = opts.perValueLimit ?? 40;
    if (this.count === 0) return [];
    if (this.min === this.max) return [{ label: this.display(this.min), range: this.display(this.min), count: this.count, lo: this.min, hi: this.max }];
    if (this.allIntegers && this.exact) {
      // one bar per value, or per multiple of the values' common step (observations every 50 steps: 0, 50, …)
      let step = 0;
      for (const v of this.exact.keys()) step = gcd(step, v - this.min);
      const n = Math.round((this.max - this.min) / step) + 1;
      if (n <= perValue) {
        const out: Bin[] = [];
        for (let i = 0; i < n; i++) {
          const v = this.min + i * step;
          out.push({ label: String(v), range: String(v), count: this.exact.get(v) ?? 0, lo: v, hi: v + step });
        }
        return out;
      }
    }
    const { m, j, first, counts } = this.choose(maxBins);
    const width = m * 10 ** j;
    const exponent = exponentAxis(edge(first, m, j), edge(first + counts.length, m, j), j);
    return counts.map((count, i) => {
      const lo = edge(first + i, m, j);
      if (this.allIntegers) {
        // integer-aligned bars: [lo, lo + width - 1], both ends inclusive, the outer two clipped to the data's
        // range (so a last bar holding fewer values says so: 1,000–1,023)
        const a = Math.max(lo, this.min);
        const b = Math.min(edge(first + i + 1, m, j) - 1, this.max);
        const label = width === 1 || a === b ? tickLabel(a, 0) : `${tickLabel(a, 0)}–${tickLabel(b, 0)}`;
        return { label, range: label, count, lo, hi: edge(first + i + 1, m, j) };
      }
      const hi = edge(first + i + 1, m, j);
      const last = i === counts.length - 1;
      return { label: tickLabel(lo, j, exponent), range: `${tickLabel(lo, j, exponent)} to ${last ? '' : 'under '}${tickLabel(hi, j, exponent)}`, count, lo, hi };
    });
  }

  /** The smallest nice width (m × 10^j) giving at most `maxBins` bars, and the bars' counts. */
  private choose(maxBins: number): { m: number; j: number; first: number; counts: number[] } {
    let j = Math.max(-300, Math.floor(Math.log10(Math.min(this.max - this.min, Number.MAX_VALUE) / maxBins)) - 1);
    if (this.fine && j < this.exp) j = this.exp;
    if (this.allIntegers && j < 0) j = 0;
    // bars no narrower than the data's decimal resolution: values 0.0, 0.1, …, 1.1 get bars 0.1 wide, not a
    // comb of 0.05-wide bars with every other one empty
    if (this.exact && !this.allIntegers) j = Math.max(j, -this.maxDecimals());
    let kmin = Infinity;
    let kmax = -Infinity;
    for (const k of this.fine?.keys() ?? []) {
      if (k < kmin) kmin = k;
      if (k > kmax) kmax = k;
    }
    const rel = this.rel;
    // j ends by 308 at the latest: a width of 1e308 holds any finite values in a few bars
    for (; ; j++) {
      for (const m of [1, 2, 5]) {
        if (this.fine) {
          // fine bin k covers [k, k + 1) × 10^exp; a bar of width m × 10^j holds r = m × 10^(j - exp) of them
          const r = m * 10 ** (j - this.exp);
          const first = Math.floor(kmin / r);
          const n = Math.floor(kmax / r) - first + 1;
          if (!(n >= 1 && n <= maxBins)) continue;
          const counts = new Array<number>(n).fill(0);
          for (const [k, c] of this.fine) counts[Math.floor(k / r) - first]! += c;
          return { m, j, first, counts };
        }
        const idx = (v: number) => floorSnapped(scaled(v, j) / m, rel);
        const first = idx(this.min);
        const n = idx(this.max) - first + 1;
        if (!(n >= 1 && n <= maxBins)) continue; // also skips widths that under/overflow a double
        const counts = new Array<number>(n).fill(0);
        for (const [v, c] of this.exact!) counts[idx(v) - first]! += c;
        return { m, j, first, counts };
      }
    }
  }

  /** The most decimals any (exactly counted) value needs as it prints (an f32 by its shortest form). */
  private maxDecimals(): number {
    let most = 0;
    for (const v of this.exact!.keys()) {
      const s = this.display(v);
      const e = s.indexOf('e');
      const mantissa = e < 0 ? s : s.slice(0, e);
      const dot = mantissa.indexOf('.');
      const d = (dot < 0 ? 0 : mantissa.length - dot - 1) - (e < 0 ? 0 : Number(s.slice(e + 1)));
      if (d > most) most = d;
    }
    return most;
  }

  /** True while quantiles are exact (values counted exactly, not in fine bins). */
  get exactQuantiles(): boolean {
    return this.exact !== undefined;
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1): exact while values are counted exactly — linear between the two order statistics
   * around rank q × (n − 1) (Hyndman & Fan's type 7, R's and NumPy's default), so the median of an even count is
   * the mean of the two middle values; afterwards interpolated within its fine bin (error below one fine bin width).
   */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const target = q * (this.count - 1);
    if (this.exact) {
      const keys = [...this.exact.keys()].sort((a, b) => a - b);
      const lo = Math.floor(target);
      const frac = target - lo;
      let seen = 0;
      for (let i = 0; i < keys.length; i++) {
        seen += this.exact.get(keys[i]!)!;
        if (seen > lo) {
          // rank lo is keys[i]; rank lo + 1 is the same value while seen > lo + 1, else the next key
          const next = seen > lo + 1 || frac === 0 ? keys[i]! : (keys[i + 1] ?? keys[i]!);
          return keys[i]! + frac * (next - keys[i]!);
        }
      }
      return this.max;
    }
    const keys = [...this.fine!.keys()].sort((a, b) => a - b);
    const w = 10 ** this.exp;
    let seen = 0;
    for (const k of keys) {
      const c = this.fine!.get(k)!;
      if (seen + c > target) {
        const v = (k + (target - seen + 0.5) / c) * w;
        return Math.min(this.max, Math.max(this.min, v));
      }
      seen += c;
    }
    return this.max;
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** The i-th edge of bars of width m × 10^j: i × m × 10^j, with one rounding. */
function edge(i: number, m: number, j: number): number {
  return j >= 0 ? i * m * 10 ** j : (i * m) / 10 ** -j;
}
