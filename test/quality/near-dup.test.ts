import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { NearDuplicateIndex, shingles } from '../../runtime/dataset/near-dup.js';
import { run } from '../../runtime/run/run-plan.js';
import { makeCorpus } from '../support/near-dup-corpus.js';

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
});
