import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { jaccardAtLeast, jaccardSorted, lshBanding, MAX_BUCKET, NearDuplicateIndex, shingles, shingleSet } from '../../runtime/dataset/near-dup.js';
import { mulberry32 } from '../support/prng.js';
import { run } from '../../runtime/run/run-plan.js';
import { makeCorpus, makeTemplated } from '../support/near-dup-corpus.js';

function jaccard(a: string, b: string): number {
  const x = new Set(shingles(a));
  const y = new Set(shingles(b));
  let inter = 0;
  for (const s of x) if (y.has(s)) inter++;
  return inter / (x.size + y.size - inter);
}

describe('near-duplicate removal', () => {
  it('removes every planted exact and near duplicate and no distinct row (similarity 0.8)', () => {
    const { rows, duplicates } = makeCorpus(2000, { exact: 150, near: 250, seed: 3 });
    const idx = new NearDuplicateIndex(42, 0.8);
    const removed = new Set<number>();
    rows.forEach((text, i) => {
      const sig = idx.signature(text);
      if (idx.isDuplicate(sig)) removed.add(i);
      else idx.addSignature(sig);
    });
    expect([...duplicates].filter((i) => !removed.has(i))).toEqual([]);
    expect([...removed].filter((i) => !duplicates.has(i))).toEqual([]);
  });

  it('estimates Jaccard similarity closely', () => {
    const { rows } = makeCorpus(1, { near: 1, seed: 9 });
    const idx = new NearDuplicateIndex(1);
    const est = NearDuplicateIndex.similarity(NearDuplicateIndex.signatureOf(idx.signature(rows[0]!)), NearDuplicateIndex.signatureOf(idx.signature(rows[1]!)));
    expect(Math.abs(est - jaccard(rows[0]!, rows[1]!))).toBeLessThan(0.15);
  });

  it('is reproducible with the seed and applied by `unique … similarity` in datasets', async () => {
    const { rows, duplicates } = makeCorpus(60, { exact: 10, near: 20, seed: 5 });
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-dedup-'));
    // grid over the corpus texts, in order: row i gets text i
    const list = rows.map((r) => JSON.stringify(r)).join(', ');
    writeFileSync(
      path.join(dir, 's.synth'),
      `goal "g" { seed 4 }\ndataset texts {\n  vary t in [${list}]\n  row = { text: t }\n  unique row.text similarity 0.8\n  output "out/t.jsonl"\n}\n`,
    );
    const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
    const s = await run(plan, { projectRoot: dir });
    const out = (await readRows(path.join(dir, 'out', 't.jsonl'), 'jsonl')).map((r) => r['text']);
    expect(out).toEqual(rows.filter((_, i) => !duplicates.has(i)));
    expect(s.results[0]!.counts.duplicates).toBe(duplicates.size);
  });

  it('derives the LSH banding from the threshold: ≥ 99.9 % candidate probability at it, the steepest such curve', () => {
    for (const t of [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99]) {
      const { rows, bands } = lshBanding(t);
      const p = (s: number, r: number, b: number) => 1 - Math.pow(1 - Math.pow(s, r), b);
      expect(rows * bands).toBeLessThanOrEqual(64);
      expect(p(t, rows, bands), `t=${t}`).toBeGreaterThanOrEqual(0.999);
      // one more row per band would drop below the recall target
      expect(p(t, rows + 1, Math.floor(64 / (rows + 1))), `t=${t}`).toBeLessThan(0.999);
    }
    expect(lshBanding(0.8)).toEqual({ rows: 4, bands: 16 });
  });

  it('on templated near-identical text: removes only true near-duplicates, misses few, and decides the same from journaled keys (merge, resume)', () => {
    const rows = makeTemplated(3000, 5, [20, 10, 8, 6, 4]);
    const idx = new NearDuplicateIndex(9, 0.8);
    const keys: string[] = [];
    const removed: boolean[] = [];
    for (const text of rows) {
      const k = idx.signature(text);
      keys.push(k);
      const dup = idx.isDuplicate(k);
      removed.push(dup);
      if (!dup) idx.addSignature(k);
    }
    // exact Jaccard, brute force over the kept rows before each row
    const setOf = shingleSet;
    const sets = rows.map(setOf);
    const kept: number[] = [];
    let falsePos = 0;
    let missed = 0;
    let truePos = 0;
    rows.forEach((_, i) => {
      const truth = kept.some((j) => jaccardSorted(sets[i]!, sets[j]!) >= 0.8);
      if (removed[i] && !truth) falsePos++;
      if (removed[i] && truth) truePos++;
      if (!removed[i] && truth) missed++;
      if (!removed[i]) kept.push(i);
    });
    expect(falsePos).toBe(0);
    expect(truePos).toBeGreaterThan(300); // the corpus is adversarial: many rows are one slot from an earlier one
    expect(truePos / (truePos + missed)).toBeGreaterThanOrEqual(0.99);
    // Re-applied from the keys alone, in a fresh index (what `synth merge` and a resumed run do): same decisions.
    const again = new NearDuplicateIndex(9, 0.8);
    const replayed = keys.map((k) => {
      const dup = again.isDuplicate(k);
      if (!dup) again.addSignature(k);
      return dup;
    });
    expect(replayed).toEqual(removed);
  }, 60_000);

  it('jaccardAtLeast(a, b, t) answers exactly as jaccardSorted(a, b) >= t (random sets, thresholds at exact fractions)', () => {
    const r = mulberry32(2024);
    const set = (n: number, universe: number) => Float64Array.from(new Set(Array.from({ length: n }, () => Math.floor(r() * universe)))).sort();
    for (let k = 0; k < 20_000; k++) {
      const universe = 1 + Math.floor(r() * 80);
      const a = set(Math.floor(r() * 50), universe);
      const b = r() < 0.1 ? a.slice() : set(Math.floor(r() * 50), universe);
      // thresholds right at a reachable similarity i/j are where a rounding slip would show
      const j = 1 + Math.floor(r() * 60);
      const t = r() < 0.7 ? Math.max(1, Math.floor(r() * j)) / j : Math.max(1e-3, r());
      expect(jaccardAtLeast(a, b, t), `a=${a.join(',')} b=${b.join(',')} t=${t}`).toBe(jaccardSorted(a, b) >= t);
    }
  });

  it('keeps recall when single-band buckets overflow: rows filed under longer keys are still found (20,000 templated rows)', () => {
    const n = 20_000;
    const rows = makeTemplated(n, 3);
    const idx = new NearDuplicateIndex(7, 0.8);
    const removed = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = idx.signature(rows[i]!);
      if (idx.isDuplicate(k)) removed[i] = 1;
      else idx.addSignature(k);
    }
    const use = idx.levelUse();
    // the corpus must really overflow single-band buckets, or this test shows nothing about the longer keys
    expect(use[1]!, `entries filed per level: ${use.join(', ')} (bucket cap ${MAX_BUCKET})`).toBeGreaterThan(1000);
    // recall on a sample of kept rows, by brute force over every kept row before each
    const setOf = shingleSet;
    const kept: number[] = [];
    for (let i = 0; i < n; i++) if (!removed[i]) kept.push(i);
    const sets = new Map(kept.map((i) => [i, setOf(rows[i]!)]));
    const r = mulberry32(5);
    const sample = Array.from({ length: 300 }, () => kept[Math.floor(r() * kept.length)]!);
    const missed = sample.filter((i) => kept.some((j) => j < i && jaccardSorted(sets.get(i)!, sets.get(j)!) >= 0.8)).length;
    const removedCount = removed.reduce((a, b) => a + b, 0);
    const missedEstimate = (kept.length * missed) / sample.length;
    const recall = removedCount / (removedCount + missedEstimate);
    // 0.80 before the longer keys at this size (60,000 rows: 0.79 → 0.97)
    expect(recall, `removed ${removedCount}, missed ${missed} of ${sample.length} sampled kept rows`).toBeGreaterThanOrEqual(0.93);
  }, 120_000);

  // The class behind "😀 removed 🎉": whatever text a row holds (emoji, symbols, combining marks, scripts without
  // composed forms, nothing at all), a row is removed only when its words are a near-duplicate of a kept row's
  // — decided on the shingle *strings*, not their hashes, so a lossy tokenizer or a hash collision both fail here.
  it('removes a row only when its shingles really match a kept row (hostile alphabets, similarity 1 and 0.5; seeded)', () => {
    const strip = (x: string) => x.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{White_Space}\p{Cc}\p{Cf}]/gu, '');
    const pieces = ['😀', '🎉', '👍', '👍🏽', '👍🏿', '👨‍👩‍👧', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '1️⃣', '+', '-', '*', '/', '!', '?', '…', '$', '€', '≤', '©', 'ก', '่', '้', 'क', 'ि', 'ी', 'e', '\u0301', 'é', 'A', 'a', 'ß', 'ﬁ', 'x', 'y', '7', ' ', ' ', '\t', '\n', '', '\u200d', '\u200c', 'ا', 'ی', '#️⃣', '*️⃣', '‼️', '⁉️', '\ue000', '\u00ad', '\u200b', '\0', '\x1b', '-5', '1.5', '1,5', '\u200f'];
    const r = mulberry32(77);
    const text = () => Array.from({ length: Math.floor(r() * 8) }, () => pieces[Math.floor(r() * pieces.length)]!).join('');
    const rows = Array.from({ length: 4000 }, text);
    for (const t of [1, 0.5]) {
      const idx = new NearDuplicateIndex(3, t);
      const kept: number[] = [];
      for (let i = 0; i < rows.length; i++) {
        const k = idx.signature(rows[i]!);
        if (!idx.isDuplicate(k)) {
          idx.addSignature(k);
          kept.push(i);
          continue;
        }
        const match = kept.find((j) => jaccard(rows[i]!, rows[j]!) >= t);
        expect(match, `row ${JSON.stringify(rows[i])} removed at similarity ${t} with no kept row that close`).toBeDefined();
        // at similarity 1, an oracle independent of the tokenizer: the two texts differ at most in case,
        // punctuation and spacing (a necessary condition of "the same words")
        if (t === 1) expect(strip(rows[match!]!), `${JSON.stringify(rows[i])} after ${JSON.stringify(rows[match!])}`).toBe(strip(rows[i]!));
      }
      // the generator must make both kinds, or this test shows nothing
      expect(kept.length).toBeGreaterThan(100);
      expect(rows.length - kept.length).toBeGreaterThan(100);
    }
  });

  it('keeps text the adversarial pass saw removed: emoji, symbols, empty, Thai tone marks (similarity 1)', () => {
    const rows = ['😀', '🎉', '👍🏽', '👍', '+-*/', '!!!', '', 'ก่', 'ก้', 'कि', 'की', '#️⃣', '*️⃣', '‼️', '⁉️', 'logo \uf8ff', 'logo \ue000', 'logo', 'temp -5 today', 'temp 5 today', '1.5 kg', '1,5 kg', '15 kg', 'Hello, world!', 'hello world', 'nul here', 'nul\0here', 'soft\u00adhyphen', 'soft hyphen', 'ha ha ha', 'ha ha ha ha ha ha ha', 'the price is 5 5 5 5', 'the price is 5 5 5', 'x y z x y', 'y z x y z', 'a b x a b y a b', 'a b y a b x a b', 'temp –5 today', '10³ m', '103 m', 'CO₂ level', 'CO2 level', '50% off', '50 off'];
    const idx = new NearDuplicateIndex(1, 1);
    const removed = rows.filter((t) => {
      const k = idx.signature(t);
      if (idx.isDuplicate(k)) return true;
      idx.addSignature(k);
      return false;
    });
    // case, punctuation and spacing (control and invisible format characters included) are what similarity
    // ignores (docs/language.md), nothing else
    expect(removed).toEqual(['hello world', 'nul\0here', 'soft hyphen']);
  });

  it('never takes two different short texts for copies (200,000 random one-shingle rows: 53-bit shingle hashes)', () => {
    // with 32-bit hashes about 4.7 of these pairs collide (n²/2³³) and were removed as exact copies
    const r = mulberry32(11);
    const idx = new NearDuplicateIndex(5, 0.9);
    const seen = new Set<string>();
    let removed = 0;
    for (let i = 0; i < 200_000; i++) {
      const t = Math.floor(r() * 2 ** 32).toString(36) + Math.floor(r() * 2 ** 20).toString(36);
      if (seen.has(t)) continue;
      seen.add(t);
      const k = idx.signature(t);
      if (idx.isDuplicate(k)) removed++;
      else idx.addSignature(k);
    }
    expect(removed).toBe(0);
  }, 120_000);

  it('refuses near-duplicate keys of the older 32-bit format with SYN5032 (a journal or shard from an older synth)', () => {
    const idx = new NearDuplicateIndex(1, 0.8);
    const old = 'm:' + idx.signature('a b c d').slice(2);
    expect(() => idx.isDuplicate(old)).toThrow(/SYN5032|older synth/);
  });
});

