// Statistics behind `synth report`: per-column summaries, text diversity, and the distance between a `vary`
// variable's declared and realised distributions.
import type { Sampler } from '../../compiler/plan/schema.js';
import type { Value } from '../../compiler/plan/eval.js';

export type ColumnKind = 'number' | 'category' | 'text' | 'other';

export interface ColumnSummary {
  name: string;
  kind: ColumnKind;
  count: number;
  missing: number;
  /** number: histogram bins; category: value counts; text: length histogram */
  bins?: { label: string; count: number }[];
  mean?: number;
  min?: number;
  max?: number;
  distinct?: number;
  /** text only: distinct word-bigram ratio (1.0 = no bigram repeats across rows) */
  distinctBigrams?: number;
}

function histogram(values: number[], nBins = 20): { label: string; count: number }[] {
  if (!values.length) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [{ label: fmt(lo), count: values.length }];
  const allInt = values.every(Number.isInteger) && hi - lo < nBins;
  const n = allInt ? hi - lo + 1 : nBins;
  const width = allInt ? 1 : (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - lo) / width))]!++;
  return counts.map((count, i) => ({ label: allInt ? String(lo + i) : fmt(lo + i * width), count }));
}

function fmt(x: number): string {
  return Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x)) : x.toPrecision(3);
}

export function summarize(rows: Record<string, Value>[]): ColumnSummary[] {
  const names: string[] = [];
  for (const r of rows.slice(0, 1000)) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  return names.map((name) => {
    const vals = rows.map((r) => r[name]);
    const present = vals.filter((v): v is Value => v !== null && v !== undefined);
    const base = { name, count: present.length, missing: vals.length - present.length };
    if (present.length && present.every((v) => typeof v === 'number')) {
      const nums = present as number[];
      const distinct = new Set(nums).size;
      if (distinct <= 12 && nums.every(Number.isInteger)) return { ...base, kind: 'category', bins: categories(nums.map(String)), distinct };
      return { ...base, kind: 'number', bins: histogram(nums), mean: nums.reduce((a, b) => a + b, 0) / nums.length, min: Math.min(...nums), max: Math.max(...nums), distinct };
    }
    if (present.length && present.every((v) => typeof v === 'boolean' || typeof v === 'string')) {
      const strs = present.map(String);
      const distinct = new Set(strs).size;
      if (distinct <= 30 && distinct < Math.max(2, strs.length / 2)) return { ...base, kind: 'category', bins: categories(strs), distinct };
      return { ...base, kind: 'text', bins: histogram(strs.map((s) => s.length)), distinct, distinctBigrams: distinctBigramRatio(strs) };
    }
    return { ...base, kind: 'other' };
  });
}

function categories(values: string[]): { label: string; count: number }[] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]).map(([label, count]) => ({ label, count }));
}

export function distinctBigramRatio(texts: string[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const w = t.toLowerCase().split(/\s+/).filter(Boolean);
    for (let i = 0; i + 1 < w.length; i++) {
      seen.add(w[i] + ' ' + w[i + 1]);
      total++;
    }
  }
  return total ? seen.size / total : 1;
}

/** Total variation distance between a declared choice distribution and the realised values. */
export function totalVariation(s: Sampler, values: Value[]): { distance: number; declared: Record<string, number>; realised: Record<string, number> } | undefined {
  if (s.kind !== 'choice' || !values.length) return undefined;
  const total = s.weights.reduce((a, b) => a + b, 0) || 1;
  const declared: Record<string, number> = {};
  s.values.forEach((v, i) => (declared[String(v)] = (declared[String(v)] ?? 0) + s.weights[i]! / total));
  const realised: Record<string, number> = {};
  for (const v of values) realised[String(v)] = (realised[String(v)] ?? 0) + 1 / values.length;
  const keys = new Set([...Object.keys(declared), ...Object.keys(realised)]);
  let d = 0;
  for (const k of keys) d += Math.abs((declared[k] ?? 0) - (realised[k] ?? 0));
  return { distance: d / 2, declared, realised };
}
