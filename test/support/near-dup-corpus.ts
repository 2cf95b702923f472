// A synthetic corpus with planted exact and near duplicates, for the dedup test and benchmark. Distinct rows
// are built from disjoint vocabulary so their word-shingle overlap is near zero; near duplicates change a
// couple of words of a base row (Jaccard of 3-shingles well above 0.8).
import { mulberry32 as rng } from './prng.js';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'xe', 'zu', 'ba', 'de', 'fi', 'go', 'hu', 'ja', 'pe', 'qo', 'wi', 'yu'];

export function word(r: () => number): string {
  const n = 2 + Math.floor(r() * 3);
  let w = '';
  for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
  return w;
}

export interface Corpus {
  rows: string[];
  /** indices of rows that must be removed (a planted copy appears earlier) */
  duplicates: Set<number>;
}

export function makeCorpus(distinct: number, opts: { exact?: number; near?: number; words?: number; seed?: number } = {}): Corpus {
  const r = rng(opts.seed ?? 1);
  const words = opts.words ?? 40;
  const base: string[] = [];
  for (let i = 0; i < distinct; i++) base.push(Array.from({ length: words }, () => word(r)).join(' '));
  const rows = [...base];
  const duplicates = new Set<number>();
  for (let i = 0; i < (opts.exact ?? 0); i++) {
    duplicates.add(rows.length);
    rows.push(base[Math.floor(r() * distinct)]!);
  }
  for (let i = 0; i < (opts.near ?? 0); i++) {
    const w = base[Math.floor(r() * distinct)]!.split(' ');
    // change one word near the end: 3 of 38 shingles differ → Jaccard ≈ 0.86
    w[words - 2] = word(r);
    duplicates.add(rows.length);
    rows.push(w.join(' '));
  }
  return { rows, duplicates };
}

/**
 * An adversarial corpus for near-duplicate detection: every row is one template (a 23-word shared prefix and
 * connecting text) with five slots drawn from small vocabularies, so any two rows share most of their shingles
 * (Jaccard typically 0.4–0.7) and many are near-identical (one slot apart: Jaccard ≈ 0.88) or identical. `slots`:
 * the vocabulary size of each slot (smaller: more near-identical rows).
 */
export function makeTemplated(n: number, seed = 1, slots: [number, number, number, number, number] = [400, 60, 30, 12, 8]): string[] {
  const r = rng(seed);
  const vocab = (size: number) => Array.from({ length: size }, () => word(r));
  const [names, products, days, remedies, moods] = slots.map(vocab) as [string[], string[], string[], string[], string[]];
  const prefix = 'thank you for contacting the support team of our company we have received your message and will answer it within one business day';
  const pick = (a: string[]) => a[Math.floor(r() * a.length)]!;
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(
      `${prefix} customer ${pick(names)} reported that the ${pick(products)} stopped working after ${pick(days)} days of normal use and asked for a ${pick(remedies)} while feeling ${pick(moods)} about the whole experience`,
    );
  }
  return rows;
}

/** Diverse text: rows of `words` random words (no planted copies). */
export function makeDiverse(n: number, seed = 1, words = 40): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: words }, () => word(r)).join(' '));
}
