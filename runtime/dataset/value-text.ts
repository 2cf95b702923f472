// A text for a value that tells every value apart, for the hashes that decide reuse and duplicates (a `for`
// row's input hash, a `unique` key). JSON.stringify is not one: it writes NaN, Infinity and -Infinity all as
// `null`, and -0 as `0`, so a sim observation that turned from +Infinity into -Infinity hashed the same and a
// stale row was reused. Here those numbers are written as the bare words `NaN`, `Infinity`, `-Infinity` and
// `-0` (never valid JSON, and never confused with a string, which is quoted); every other value is written
// exactly as JSON.stringify writes it, so hashes of ordinary values (and the journals that recorded them)
// are unchanged.
import type { Value } from '../../compiler/plan/eval.js';

/**
 * The text of `v` (see the header). `negativeZero: false` writes -0 as `0`, as every output format does: right
 * for duplicate keys, where two rows whose values are written alike are duplicates; the default tells -0 apart,
 * right for inputs, where `1 / x` differs.
 */
export function exactValueText(v: Value | undefined, o: { negativeZero?: boolean } = {}): string {
  const zero = o.negativeZero ?? true;
  // the common case (every number finite, no -0) is JSON.stringify itself: the walk below only looks
  return needsWords(v, zero) ? write(v, zero) : (JSON.stringify(v ?? null) ?? 'null');
}

function special(n: number, zero: boolean): boolean {
  return !Number.isFinite(n) || (zero && n === 0 && Object.is(n, -0));
}

function needsWords(v: Value | undefined, zero: boolean): boolean {
  if (typeof v === 'number') return special(v, zero);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const x of v) if (needsWords(x, zero)) return true;
    return false;
  }
  for (const k in v) if (needsWords(v[k], zero)) return true;
  return false;
}

function write(v: Value | undefined, zero: boolean): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    if (zero && Object.is(v, -0)) return '-0';
    return JSON.stringify(v);
  }
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map((x) => write(x, zero)).join(',') + ']';
  const parts: string[] = [];
  for (const k in v) {
    if (v[k] === undefined) continue; // as JSON.stringify: an undefined member is left out
    parts.push(JSON.stringify(k) + ':' + write(v[k], zero));
  }
  return '{' + parts.join(',') + '}';
}
