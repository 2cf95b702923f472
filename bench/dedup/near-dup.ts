// Near-duplicate detection throughput: 100k synthetic rows (40 words each) with planted exact and near
// duplicates, through the same index `unique … similarity` uses. Prints rows/s, peak RSS and accuracy.
// Run: npx tsx bench/dedup/near-dup.ts [rows]
import { NearDuplicateIndex } from '../../runtime/dataset/near-dup.js';
import { makeCorpus } from '../../test/support/near-dup-corpus.js';

const total = Number(process.argv[2] ?? 100_000);
const distinct = Math.round(total * 0.8);
const { rows, duplicates } = makeCorpus(distinct, { exact: Math.round(total * 0.05), near: total - distinct - Math.round(total * 0.05), seed: 11 });
const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
const idx = new NearDuplicateIndex(7, 0.8);
const t0 = performance.now();
let removed = 0;
let wrong = 0;
rows.forEach((text, i) => {
  const key = idx.signature(text);
  const dup = idx.isDuplicate(key);
  if (dup) removed++;
  else idx.addSignature(key);
  if (dup !== duplicates.has(i)) wrong++;
  if ((i & 4095) === 0) peak = Math.max(peak, process.memoryUsage().rss);
});
const ms = performance.now() - t0;
peak = Math.max(peak, process.memoryUsage().rss);
console.log(
  JSON.stringify({
    rows: rows.length,
    planted: duplicates.size,
    removed,
    misclassified: wrong,
    seconds: +(ms / 1000).toFixed(2),
    rows_per_s: Math.round(rows.length / (ms / 1000)),
    peak_rss_mb: Math.round(peak / 2 ** 20),
    index_mb: Math.round((peak - rssBefore) / 2 ** 20),
  }),
);
