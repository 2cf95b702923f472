// Prices the estimate can trust: a batch discount is a fraction, and no price is so large that cost sums overflow.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';

function check(price: string) {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'synth-price-')), 's.synth');
  writeFileSync(f, `model m { name "x" api_key env("K") price ${price} }\nprompt p(a: string) -> string { model m  user "{a}" }\ndataset d { count 1  row = { t: p("q") } }\n`);
  return checkFile(f).diagnostics.filter((d) => d.severity === 'error');
}

describe('price ranges', () => {
  it('accepts real prices and discounts', () => {
    expect(check('{ input: 0.15, output: 0.6, batch_discount: 0.5 }')).toEqual([]);
    expect(check('{ input: 0, output: 0, batch_discount: 1 }')).toEqual([]);
  });

  it('refuses a discount above 1 and a price that would overflow cost sums, at the value (SYN3007)', () => {
    const [d] = check('{ input: 0.15, output: 0.6, batch_discount: 7 }');
    expect(d).toMatchObject({ code: 'SYN3007' });
    expect(d!.message).toContain('batch_discount');
    expect(d!.message).toContain('between 0 and 1');
    const [e] = check('{ input: 1e308, output: 0.6 }');
    expect(e).toMatchObject({ code: 'SYN3007' });
    expect(e!.message).toContain('at most 1,000,000 USD');
  });
});
