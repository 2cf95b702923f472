// Near-duplicate detection at scale on an adversarial corpus beside a diverse one, threshold 0.8, through the
// index `unique … similarity` uses (runtime/dataset/near-dup.ts). Per corpus: rows/s (signature, lookup and
// insert per row, in order, as the executor and `synth merge` do), peak RSS, rows removed, and precision and
// recall against exact Jaccard on a sample: `--sample` removed rows (is an earlier kept row really at
// Jaccard ≥ 0.8?) and as many kept rows (is there one the index missed?), each checked by brute force over
// every kept row before it. Recall is estimated as TP / (TP + FN) with TP = removed × precision and
// FN = kept × (misses in the kept sample / sample size).
//
//   npm run build && node dist/bench/dedup/scale.js [--rows 1000000] [--sample 200] [--corpus templated,diverse]
import { jaccardSorted, lshBanding, NearDuplicateIndex, shingles, shingleSet } from '../../runtime/dataset/near-dup.js';
import { makeDiverse, makeTemplated } from '../../test/support/near-dup-corpus.js';
import { mulberry32 } from '../../test/support/prng.js';
import { loadavg } from 'node:os';

function opt(name: string, dflt: string): string {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const n = Number(opt('rows', '1000000'));
const sample = Number(opt('sample', '200'));
const corpora = opt('corpus', 'templated,diverse').split(',');
const THRESHOLD = 0.8;

const setOf = shingleSet;

function measure(name: string): Record<string, number | string> {
  const rows = name === 'templated' ? makeTemplated(n, 3) : makeDiverse(n, 3);
  if (global.gc) global.gc();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const idx = new NearDuplicateIndex(7, THRESHOLD);
  const removed = new Uint8Array(n);
  const load = loadavg()[0]!;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const key = idx.signature(rows[i]!);
    if (idx.isDuplicate(key)) removed[i] = 1;
    else idx.addSignature(key);
    if ((i & 8191) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const s = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);

  // Ground truth on a sample, by brute force over the kept rows before each sampled row.
  const r = mulberry32(99);
  const keptIds: number[] = [];
  const removedIds: number[] = [];
  for (let i = 0; i < n; i++) (removed[i] ? removedIds : keptIds).push(i);
  const draw = (ids: number[]) => Array.from({ length: Math.min(sample, ids.length) }, () => ids[Math.floor(r() * ids.length)]!);
  const sets = new Map<number, Float64Array>();
  const set = (i: number) => sets.get(i) ?? (sets.set(i, setOf(rows[i]!)), sets.get(i)!);
  for (const i of keptIds) set(i);
  const truthDup = (i: number) => {
    const a = set(i);
    for (const j of keptIds) {
      if (j >= i) break;
      if (jaccardSorted(a, set(j)) >= THRESHOLD) return true;
    }
    return false;
  };
  const rs = draw(removedIds);
  const ks = draw(keptIds);
  const truePos = rs.filter(truthDup).length;
  const missed = ks.filter(truthDup).length;
  const precision = rs.length ? truePos / rs.length : 1;
  const tp = removedIds.length * precision;
  const fn = keptIds.length * (ks.length ? missed / ks.length : 0);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const { rows: rpb, bands } = lshBanding(THRESHOLD);
  return {
    corpus: name,
    rows: n,
    seconds: +s.toFixed(2),
    rows_per_s: Math.round(n / s),
    peak_rss_mb: Math.round(peak / 2 ** 20),
    index_mb: Math.round((peak - rss0) / 2 ** 20),
    removed: removedIds.length,
    precision: +precision.toFixed(4),
    recall: +recall.toFixed(4),
    sampled: `${rs.length} removed (${truePos} true), ${ks.length} kept (${missed} missed)`,
    banding: `${bands} bands × ${rpb} rows`,
    load: +load.toFixed(2),
  };
}

const results = corpora.map((c) => {
  const res = measure(c);
  process.stderr.write(JSON.stringify(res) + '\n');
  return res;
});
const diverse = results.find((r) => r['corpus'] === 'diverse');
console.log('| corpus | rows | s | rows/s | vs diverse (time) | peak RSS MB | index MB | removed | precision | recall (est.) | sample | load |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const vs = diverse ? `${(Number(r['seconds']) / Number(diverse['seconds'])).toFixed(2)}×` : '';
  console.log(`| ${r['corpus']} | ${Number(r['rows']).toLocaleString('en-US')} | ${r['seconds']} | ${Number(r['rows_per_s']).toLocaleString('en-US')} | ${vs} | ${r['peak_rss_mb']} | ${r['index_mb']} | ${Number(r['removed']).toLocaleString('en-US')} | ${r['precision']} | ${r['recall']} | ${r['sampled']} | ${r['load']} |`);
}
