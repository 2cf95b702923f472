// How the report prints numbers: values as the data holds them (an f32 as the shortest decimal that reads back
// as the same f32, a double to the 15 significant digits it holds reliably), statistics to 4 significant
// digits, and axis labels with exactly the decimals their bin width needs (exponent form near zero below 0.0001).

/**
 * The shortest decimal string that reads back as the same 32-bit float: `Math.fround(Number(s)) === v`.
 * A simulation's `f32` state widened to a double prints as `24.096317291259766`; this gives `24.096317`.
 * `v` must already be an f32 value (`Math.fround(v) === v`); other doubles get their own shortest form.
 * Source: the shortest-round-trip rule of Steele & White / Ryū, searched over 1–9 significant digits
 * (9 always suffice for binary32, IEEE 754-2008 §5.12.2).
 */
export function shortestF32(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return plain(v);
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return plain(Number(s));
  }
  return plain(v);
}

/**
 * A double shown to at most 15 significant digits — as many as a double holds for any decimal — so arithmetic
 * noise such as `19 * 0.1 = 1.9000000000000001` reads `1.9`. Integers print in full.
 */
export function displayDouble(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return plain(v);
  return plain(Number(v.toPrecision(15)));
}

/** A value of a column: `f32` columns (every value an exact float32) by `shortestF32`, others by `displayDouble`. */
export function displayValue(v: number, f32: boolean): string {
  return f32 ? shortestF32(v) : displayDouble(v);
}

/** A statistic (mean, share): `digits` significant digits (default 4), in exponent form only outside [1e-6, 1e21). */
export function displayStat(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return plain(v);
  return plain(Number(v.toPrecision(digits)));
}

/**
 * A value in a statistics table: integers in full, f32 values by `shortestF32` (at most 9 digits), other doubles
 * to 7 significant digits — a table for reading, not a copy of the data (the sample rows show values in full).
 */
export function displayCompact(v: number, f32: boolean): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return plain(v);
  return f32 ? shortestF32(v) : plain(Number(v.toPrecision(7)));
}

/**
 * An axis label for a bin edge that is a multiple of a width `m × 10^exp` (m ∈ {1, 2, 5}): fixed-point with
 * `max(0, -exp)` decimals and thousands separators, so labels read `4.5`, `1,000`, `0.05` — never `4.99` or
 * `1.00e+3`. With `exponent` (see exponentAxis: an axis near zero whose width is below 0.0001, where fixed
 * point is a run of zeros to count, `0.00000005`) the edge's exact multiple of 10^exp in shortest exponent form:
 * `5e-8`, `1.5e-7`, `0`.
 */
export function tickLabel(v: number, exp: number, exponent = false): string {
  if (exponent) {
    const k = Math.round(v / 10 ** exp); // the edge in units of 10^exp: an integer (bins are whole multiples)
    return k === 0 ? '0' : Number(`${k}e${exp}`).toExponential();
  }
  const decimals = Math.max(0, -exp);
  if (Math.abs(v) >= 1e21 || decimals > 20) return plain(v);
  const s = fixedFormat(decimals).format(v);
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/**
 * Whether an axis of edges from `lo` to `hi` with width exponent `exp` is labelled in exponent form: more than 4
 * decimals, and every edge below 1 in magnitude (an offset axis such as 1,700,000,000.00005 reads better fixed).
 */
export function exponentAxis(lo: number, hi: number, exp: number): boolean {
  return -exp > 4 && Math.max(Math.abs(lo), Math.abs(hi)) < 1;
}

/** Integer with thousands separators (counts). */
export function displayCount(n: number): string {
  return fixedFormat(0).format(n);
}

const formats = new Map<number, Intl.NumberFormat>();
function fixedFormat(decimals: number): Intl.NumberFormat {
  let f = formats.get(decimals);
  if (!f) formats.set(decimals, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true })));
  return f;
}

/** JavaScript's own shortest form, minus the sign of negative zero. */
function plain(v: number): string {
  return Object.is(v, -0) ? '0' : String(v);
}
