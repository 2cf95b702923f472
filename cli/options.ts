// Parsers for option values, given to commander as `argParser`s. A bad value is the user's mistake: each parser
// throws SYN4101 naming the option, what it takes and the value given (commander lets a non-commander error
// through, and main.ts prints it as one coded line, exit 1) — never a value that runs as 0 rows or NaN. Numbers
// are taken only as people write them: digits without spaces, signs or leading zeros (` 5`, `+5`, `05` are
// refused rather than guessed at).
import { synthError } from '../base/diagnostics.js';
import { closest } from '../compiler/suggest.js';

/** Canonical decimal digits of a whole number: `0` or no leading zero; no sign, spaces or exponent. */
const WHOLE = /^(0|[1-9]\d*)$/;

/** A parser for a whole number ≥ `min` (default 1) for `option` (`--limit`), written canonically (see above). */
export function wholeNumber(option: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!WHOLE.test(value) || !Number.isSafeInteger(n) || n < min) throw synthError('SYN4101', { option, expected: `a whole number of at least ${min}`, value });
    return n;
  };
}

/** `--budget 5`, `--budget 0.50`, `--budget $0.50` → USD, an amount ≥ 0 (digits, an optional fraction). */
export function usdAmount(option: string): (value: string) => number {
  return (value) => {
    const t = value.replace(/^\$/, '');
    const usd = Number(t);
    if (!/^(0|[1-9]\d*)(\.\d+)?$/.test(t) || !Number.isFinite(usd)) throw synthError('SYN4101', { option, expected: 'an amount of USD of at least 0, e.g. 5 or 0.50', value });
    return usd;
  };
}

/** `--shard i/n` → `{ index: i, count: n }` with 0 ≤ i < n. */
export function shardSpec(option: string): (value: string) => { index: number; count: number } {
  return (value) => {
    const m = /^(0|[1-9]\d*)\/([1-9]\d*)$/.exec(value);
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || !Number.isSafeInteger(count) || count < 1 || index >= count) throw synthError('SYN4101', { option, expected: 'i/n with 0 ≤ i < n, e.g. 0/4 for the first of four shards', value });
    return { index, count };
  };
}

/** One of `choices` (exact), with a "did you mean" for a near miss. */
export function oneOf<T extends string>(option: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    const suggestion = closest(value, choices);
    throw synthError('SYN4101', { option, expected: `one of ${choices.join(', ')}`, value }, suggestion ? { suggestion } : {});
  };
}

/** A TCP port, 1–65535. */
export const port = (option: string) => (value: string) => {
  const n = wholeNumber(option)(value);
  if (n > 65535) throw synthError('SYN4101', { option, expected: 'a port number from 1 to 65535', value });
  return n;
};
