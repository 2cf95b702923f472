// One column's statistics, gathered in one pass in bounded memory, and the summary the report shows: its kind
// (number, category, text or other), exact histogram or category counts, distinct values and, for text, the
// distinct word-bigram ratio.
import type { Value } from '../../compiler/plan/eval.js';
import { CategoryCounts } from './category-counts.js';
import type { DeclaredColumn } from './declared-columns.js';
import { DistinctSketch } from './distinct-sketch.js';
import { displayCompact, displayStat } from './number-format.js';
import { NumericCounts, type Bin } from './numeric-counts.js';

export type ColumnKind = 'number' | 'category' | 'text' | 'other';

/** A string column with at most this many distinct values (and fewer than half its rows) is a category. */
export const MAX_CATEGORIES = 30;
/** Bars shown for a category column; the rest are summed into one "other" bar. */
export const CATEGORY_BARS = 40;

export interface ColumnSummary {
  name: string;
  kind: ColumnKind;
  /** how the column is typed: the declared type where the manifest has it, else what the values were */
  type: string;
  count: number;
  missing: number;
  /** NaN or infinite numbers (CSV input only) */
  nonFinite: number;
  /** bars of the column's chart: a histogram (numbers, text lengths) or category counts, in display order */
  bins: Bin[];
  distinct?: { value: number; exact: boolean };
  /** number columns: display strings */
  numeric?: { min: string; max: string; mean: string; median: string; f32: boolean; integers: boolean };
  /** text only: distinct word bigrams / all word bigrams over the sampled rows (1 = no bigram repeats) */
  bigramRatio?: number;
  /** values that are not counted on their own bar (categories past the bars shown or past CATEGORY_CAP) */
  otherValues?: number;
  /** present values of another kind than the column's (a string in a number column): left out of its statistics */
  offKind?: { count: number; expected: string; kinds: string[] };
}

type Kind = 'numbers' | 'booleans' | 'strings' | 'objects';
const KIND_NAMES: Record<Kind, string> = { numbers: 'number', booleans: 'bool', strings: 'string', objects: 'object' };
/** The kind a declared JSON type's values are; undefined for object/array columns or none declared. */
function declaredKind(t: DeclaredColumn['type']): Kind | undefined {
  return t === 'integer' || t === 'number' ? 'numbers' : t === 'boolean' ? 'booleans' : t === 'string' ? 'strings' : t ? 'objects' : undefined;
}

export class ColumnStats {
  count = 0;
  private numbers: NumericCounts | undefined;
  /** distinct numbers past NumericCounts' exact cap */
  private numberDistinct: DistinctSketch | undefined;
  private booleans = 0;
  private strings = 0;
  private objects = 0;
  private categories: CategoryCounts | undefined;
  private lengths: NumericCounts | undefined;
  private distinct: DistinctSketch | undefined;
  private bigrams: { sketch: DistinctSketch; total: number } | undefined;

  constructor(readonly name: string) {}

  /** Adds one present (non-null) value; `textSample` says whether this row is in the sample for bigram stats. */
  add(v: Value, textSample: boolean): void {
    this.count++;
    switch (typeof v) {
      case 'number':
        (this.numbers ??= new NumericCounts()).add(v);
        (this.numberDistinct ??= new DistinctSketch()).addNumber(v);
        return;
      case 'boolean':
        this.booleans++;
        (this.categories ??= new CategoryCounts()).add(v ? 'true' : 'false');
        return;
      case 'string':
        this.strings++;
        (this.categories ??= new CategoryCounts()).add(v);
        (this.lengths ??= new NumericCounts()).add(v.length);
        (this.distinct ??= new DistinctSketch()).add(v);
        if (textSample) this.addBigrams(v);
        return;
      default:
        this.objects++;
    }
  }

  private addBigrams(text: string): void {
    const b = (this.bigrams ??= { sketch: new DistinctSketch(16384), total: 0 });
    const words = text.toLowerCase().split(/\s+/);
    let prev = '';
    for (const w of words) {
      if (!w) continue;
      if (prev) {
        b.sketch.add(prev + ' ' + w);
        b.total++;
      }
      prev = w;
    }
  }

  /** Exact value → count (keys as `String(value)`), or undefined when the column has too many values to say. */
  valueCounts(): Map<string, number> | undefined {
    if (this.numbers && !this.booleans && !this.strings && !this.objects) {
      const exact = this.numbers.exactCounts();
      return exact ? new Map([...exact].map(([k, c]) => [String(k), c])) : undefined;
    }
    if (this.categories && !this.numbers && !this.objects && this.categories.complete) return new Map(this.categories.counts);
    return undefined;
  }

  /** The numeric accumulator, for columns whose values are all numbers (used by the simulation charts). */
  numeric(): NumericCounts | undefined {
    return this.numbers && !this.booleans && !this.strings && !this.objects ? this.numbers : undefined;
  }

  /** The summary shown, given `rows` read in all, what the manifest declared and a `vary` choice's values. */
  summary(rows: number, declared: DeclaredColumn | undefined, choiceValues: string[] | undefined): ColumnSummary {
    // The column's kind is the declared one, else the kind most of its values are; values of other kinds (one
    // "oops" in a number column) are counted in a note and left out, rather than losing every statistic.
    const counts: Record<Kind, number> = { numbers: (this.numbers?.count ?? 0) + (this.numbers?.nonFinite ?? 0), booleans: this.booleans, strings: this.strings, objects: this.objects };
    const most = (['numbers', 'strings', 'booleans', 'objects'] as const).reduce((a, k) => (counts[k] > counts[a] ? k : a));
    const kind = declaredKind(declared?.type) ?? most;
    const off = this.count - counts[kind];
    const offKind = off > 0 ? { offKind: { count: off, expected: KIND_NAMES[kind], kinds: (Object.keys(counts) as Kind[]).filter((k) => k !== kind && counts[k] > 0).map((k) => KIND_NAMES[k]) } } : {};
    const base = { name: this.name, count: this.count, missing: rows - this.count, nonFinite: this.numbers?.nonFinite ?? 0, ...offKind };
    const only = (k: Kind) => counts[k] > 0 && k === kind;
    const order = declared?.values ?? choiceValues;

    if (only('numbers')) {
      const n = this.numbers!;
      const integers = n.allIntegers && declared?.type !== 'number';
      const type = declared?.type === 'integer' || (!declared?.type && n.allIntegers) ? 'int' : 'float';
      const distinct = n.distinct;
      // Declared choices of a number (`vary k ~ one_of(1, 2, 5)`) are categories in declared order.
      if (order && n.exactCounts() && distinct !== undefined && distinct <= MAX_CATEGORIES) {
        const cats = new CategoryCounts();
        for (const [v, c] of n.exactCounts()!) cats.add(String(v), c);
        return { ...base, kind: 'category', type, bins: bars(cats.ordered(order, 'numeric')), distinct: { value: distinct, exact: true } };
      }
      return {
        ...base,
        kind: 'number',
        type,
        bins: n.count ? n.bins() : [],
        distinct: distinct !== undefined ? { value: distinct, exact: true } : { value: this.numberDistinct!.estimate(), exact: this.numberDistinct!.exact },
        numeric: n.count
          ? (() => {
              const f32 = n.allF32 && !n.allIntegers;
              const median = n.quantile(0.5);
              return {
                min: displayCompact(n.min, f32),
                max: displayCompact(n.max, f32),
                mean: displayStat(n.mean, 6),
                median: n.exactQuantiles ? displayCompact(median, f32) : '≈ ' + displayStat(median, 4),
                f32,
                integers,
              };
            })()
          : { min: '', max: '', mean: '', median: '', f32: false, integers },
      };
    }
    if (only('booleans')) {
      return { ...base, kind: 'category', type: 'bool', bins: bars(this.categories!.ordered(['false', 'true'], 'boolean')), distinct: { value: this.categories!.counts.size, exact: true } };
    }
    if (only('strings')) {
      const cats = this.categories!;
      const distinct = { value: this.distinct!.estimate(), exact: this.distinct!.exact };
      const type = declared?.values ? 'enum' : 'string';
      const isCategory = declared?.values || (cats.complete && cats.counts.size <= MAX_CATEGORIES && cats.counts.size < Math.max(2, this.count / 2));
      if (isCategory) {
        const ordered = cats.ordered(order, 'count');
        const hidden = cats.other + ordered.slice(CATEGORY_BARS).reduce((a, b) => a + b.count, 0);
        return { ...base, kind: 'category', type, bins: bars(ordered, cats.other), distinct, ...(hidden ? { otherValues: hidden } : {}) };
      }
      const ratio = this.bigrams && this.bigrams.total ? this.bigrams.sketch.estimate() / this.bigrams.total : 1;
      return { ...base, kind: 'text', type, bins: this.lengths!.bins(), distinct, bigramRatio: Math.min(1, ratio) };
    }
    const seen = [this.numbers ? 'number' : '', this.booleans ? 'bool' : '', this.strings ? 'string' : '', this.objects ? 'object' : ''].filter(Boolean);
    // the type named as the other rows name it (`int`, not JSON Schema's `integer`)
    const declaredName = declared?.type === 'integer' ? 'int' : declared?.type === 'number' ? 'float' : declared?.type === 'boolean' ? 'bool' : declared?.type;
    return { ...base, kind: 'other', type: declaredName ?? (seen.join(' | ') || 'empty'), bins: [] };
  }
}

/** Category counts as bars: the first CATEGORY_BARS, then one bar summing the rest (and `uncounted` rows whose
 *  values came after CategoryCounts' cap). */
function bars(ordered: { label: string; count: number }[], uncounted = 0): Bin[] {
  const shown = ordered.slice(0, CATEGORY_BARS).map(({ label, count }) => ({ label, range: label, count }));
  const rest = ordered.slice(CATEGORY_BARS);
  const restCount = rest.reduce((a, b) => a + b.count, 0) + uncounted;
  if (restCount) {
    const label = uncounted ? 'all other values' : `other (${rest.length} values)`;
    shown.push({ label, range: label, count: restCount });
  }
  return shown;
}
