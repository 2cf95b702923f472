// The report's bounded-memory helpers: distinct counts (KMV), the seeded row sample, category order, and the
// streaming CSV record reader.
import { describe, expect, it } from 'vitest';
import { csvCell, splitCsv } from '../../runtime/dataset/csv.js';
import { CATEGORY_CAP, CategoryCounts } from '../../runtime/report/category-counts.js';
import { CsvRecords } from '../../runtime/report/csv-records.js';
import { DistinctSketch } from '../../runtime/report/distinct-sketch.js';
import { RowSample } from '../../runtime/report/row-sample.js';
import { mulberry32 } from '../support/prng.js';

describe('DistinctSketch', () => {
  it('is exact below k and within 5 % above, for near-identical strings and numbers', () => {
    const small = new DistinctSketch(1024);
    for (let i = 0; i < 3000; i++) small.add(`row ${i % 1000}`);
    expect(small.exact).toBe(true);
    expect(small.estimate()).toBe(1000);
    for (const n of [20_000, 300_000]) {
      const s = new DistinctSketch();
      const x = new DistinctSketch();
      for (let i = 0; i < n; i++) {
        s.add(`The customer reports issue #${i} with the router`);
        s.add(`The customer reports issue #${i} with the router`); // duplicates do not count
        x.addNumber(Math.fround(i / 7));
      }
      expect(Math.abs(s.estimate() / n - 1), `strings, n=${n}`).toBeLessThan(0.05);
      expect(Math.abs(x.estimate() / n - 1), `numbers, n=${n}`).toBeLessThan(0.05);
    }
  });

  it('never estimates more distinct values than values added (all-distinct streams, many seeds)', () => {
    // KMV's error is symmetric: on all-distinct data half the estimates came out above the row count
    for (let seed = 0; seed < 40; seed++) {
      const s = new DistinctSketch(256);
      const n = 300 + seed * 97;
      for (let i = 0; i < n; i++) s.add(`${seed}:${i}`);
      expect(s.estimate(), `seed ${seed}`).toBeLessThanOrEqual(n);
    }
  });
});

describe('RowSample', () => {
  it('is a seeded uniform sample, not the first rows, the same however often it is drawn', () => {
    const draw = (seed: number, n: number) => {
      const s = new RowSample<number>(20, seed);
      for (let i = 0; i < n; i++) s.offer(i, () => i);
      return s.rows().map((r) => r.index);
    };
    const a = draw(7, 10_000);
    expect(a).toHaveLength(20);
    expect(a).toEqual(draw(7, 10_000));
    expect(a).not.toEqual(draw(8, 10_000));
    expect(a).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(a); // in file order
    // uniform: over 400 seeds each tenth of the rows holds about a tenth of the picks
    const deciles = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 400; seed++) for (const i of draw(seed, 1000)) deciles[Math.floor(i / 100)]!++;
    for (const d of deciles) expect(Math.abs(d - 800)).toBeLessThan(120); // 800 expected, sd ≈ 27
    // fewer rows than k: all of them
    expect(draw(1, 5)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('CategoryCounts', () => {
  it('orders declared values first in declared order (zero counts kept), then by count', () => {
    const c = new CategoryCounts();
    for (const v of ['severe', 'severe', 'minor', 'x', 'y', 'y']) c.add(v);
    expect(c.ordered(['minor', 'severe', 'never'], 'count').map((b) => `${b.label}:${b.count}`)).toEqual(['minor:1', 'severe:2', 'never:0', 'y:2', 'x:1']);
    const lanes = new CategoryCounts();
    for (const v of ['0', '2', '2', '2', '1', '3', '3']) lanes.add(v);
    expect(lanes.ordered(undefined, 'numeric').map((b) => b.label)).toEqual(['0', '1', '2', '3']);
  });

  it('caps its memory: values past the cap are counted as other', () => {
    const c = new CategoryCounts();
    for (let i = 0; i < CATEGORY_CAP + 500; i++) c.add(`v${i}`);
    expect(c.counts.size).toBe(CATEGORY_CAP);
    expect(c.other).toBe(500);
    expect(c.complete).toBe(false);
  });
});

describe('CsvRecords', () => {
  it('reads any record the writer writes, split into chunks anywhere', () => {
    const rng = mulberry32(11);
    const alphabet = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '😀', '""', 'x'];
    for (let trial = 0; trial < 300; trial++) {
      const records: string[][] = [];
      const nCols = 1 + Math.floor(rng() * 4);
      for (let r = 0; r < 1 + Math.floor(rng() * 6); r++) {
        records.push(Array.from({ length: nCols }, () => Array.from({ length: Math.floor(rng() * 6) }, () => alphabet[Math.floor(rng() * alphabet.length)]).join('')));
      }
      // a record of one empty cell would be written as an empty line, which CSV cannot tell from no record
      const kept = records.filter((r) => !(r.length === 1 && r[0] === ''));
      const text = kept.map((r) => r.map((c) => csvCell(c)).join(',') + '\n').join('');
      const reader = new CsvRecords();
      const got: string[][] = [];
      let at = 0;
      while (at < text.length) {
        const n = 1 + Math.floor(rng() * 7);
        reader.push(text.slice(at, at + n), (cells) => got.push(cells));
        at += n;
      }
      expect(reader.end()).toBeUndefined();
      expect(got).toEqual(kept);
      // and agrees with the writer's own one-line reader on records without line breaks
      got.forEach((cells, i) => {
        if (!cells.some((c) => /[\r\n]/.test(c))) expect(splitCsv(kept[i]!.map((c) => csvCell(c)).join(','))).toEqual(cells);
      });
    }
  });

  it('reports a record cut off inside quotes as incomplete', () => {
    const r = new CsvRecords();
    const got: string[][] = [];
    r.push('a,b\n1,"unfinished\nmore', (c) => got.push(c));
    expect(got).toEqual([['a', 'b']]);
    expect(r.end()).toEqual({ cells: ['1', 'unfinished\nmore'], line: 2, complete: false });
  });
});
