// How the report prints numbers: f32 values as their shortest round-trip decimal, doubles without arithmetic
// noise, axis labels without `4.99` or `1.00e+3`.
import { describe, expect, it } from 'vitest';
import { displayDouble, displayStat, exponentAxis, shortestF32, tickLabel } from '../../runtime/report/number-format.js';
import { mulberry32 } from '../support/prng.js';

describe('shortestF32', () => {
  it('is the shortest decimal that reads back as the same f32, for random f32 values of every magnitude', () => {
    const rng = mulberry32(17);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let n = 0; n < 20_000; n++) {
      u32[0] = Math.floor(rng() * 2 ** 32);
      const v = f32[0]!;
      if (!Number.isFinite(v)) continue;
      const s = shortestF32(v);
      expect(Math.fround(Number(s)), `${v} → ${s}`).toBe(v);
      // no shorter decimal round-trips
      const digits = s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
      if (digits > 1 && !Number.isInteger(v)) expect(Math.fround(Number(v.toPrecision(digits - 1))), `${v}: ${s} is not the shortest`).not.toBe(v);
    }
  });

  it('prints f32 state as written, not as the widened double', () => {
    expect(shortestF32(Math.fround(24.096317))).toBe('24.096317');
    expect(shortestF32(Math.fround(0.1))).toBe('0.1');
    expect(shortestF32(Math.fround(1.9))).toBe('1.9');
    expect(shortestF32(Math.fround(30))).toBe('30');
    expect(shortestF32(-0)).toBe('0');
  });
});

describe('displayDouble and displayStat', () => {
  it('hides double arithmetic noise but keeps every digit a double holds', () => {
    expect(displayDouble(19 * 0.1)).toBe('1.9');
    expect(displayDouble(0.1 + 0.2)).toBe('0.3');
    expect(displayDouble(123456.789012)).toBe('123456.789012');
    expect(displayDouble(1e-7)).toBe('1e-7');
    expect(displayStat(26.411713)).toBe('26.41');
    expect(displayStat(1073.4)).toBe('1073');
  });
});

describe('tickLabel', () => {
  it('prints bin edges with the decimals of their width and thousands separators', () => {
    expect(tickLabel(4.5, -1)).toBe('4.5');
    expect(tickLabel(1000, 2)).toBe('1,000');
    expect(tickLabel(0.05, -2)).toBe('0.05');
    expect(tickLabel(-0.0, -1)).toBe('0.0');
    expect(tickLabel(2_500_000, 5)).toBe('2,500,000');
  });

  it('writes widths below 0.0001 in exponent form, not as a run of zeros (adv17: 0.00000005)', () => {
    expect(tickLabel(5e-8, -8, true)).toBe('5e-8');
    expect(tickLabel(1.5e-7, -8, true)).toBe('1.5e-7');
    expect(tickLabel((3 * 5) / 1e8, -8, true)).toBe('1.5e-7');
    expect(tickLabel(0, -8, true)).toBe('0');
    expect(tickLabel(-2e-5, -5, true)).toBe('-2e-5');
    expect(exponentAxis(0, 1e-6, -8)).toBe(true);
    expect(exponentAxis(-3e-4, 3e-4, -5)).toBe(true);
    expect(exponentAxis(0, 0.003, -4)).toBe(false); // 0.0005: four decimals read fine
    expect(exponentAxis(1.7e9, 1.7e9 + 1e-3, -5)).toBe(false); // an offset axis stays fixed
    expect(tickLabel(1_700_000_000.00005, -5)).toBe('1,700,000,000.00005');
  });

  it('never prints exponent form or float noise for multiples of nice widths; shortest exponent form on axes near zero below 0.0001', () => {
    const rng = mulberry32(5);
    for (let n = 0; n < 5000; n++) {
      const j = Math.floor(rng() * 16) - 8;
      const m = [1, 2, 5][Math.floor(rng() * 3)]!;
      const i = Math.floor(rng() * 2000) - 1000;
      const v = j >= 0 ? i * m * 10 ** j : (i * m) / 10 ** -j;
      const exponent = exponentAxis(v, v, j);
      const label = tickLabel(v, j, exponent);
      if (!exponent) {
        expect(label).not.toMatch(/e[+-]?\d/);
        // exactly the decimals the width needs, and the edge's value (no 4.99 for 5.0)
        expect(label.split('.')[1]?.length ?? 0).toBe(Math.max(0, -j));
      } else {
        expect(label).toMatch(/^(0|-?\d(\.\d+)?e-\d+)$/);
        expect(label.length).toBeLessThanOrEqual(12);
      }
      expect(Math.abs(Number(label.replace(/,/g, '')) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-12);
    }
  });
});
