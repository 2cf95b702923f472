// A row's identity and its draws, shared by the runtime (runtime/dataset/produce.ts makes the row) and the
// estimate (estimate.ts counts the calls the row will make): both see the same `vary` values, grid values and
// `for` item for row i, so the estimate decides conditions on them exactly as the run will.
import type { Env, Value } from './eval.js';
import { drawer, hashString } from './random.js';
import { gridCombination, sample } from './samplers.js';
import type { DatasetStage } from './schema.js';

/** The row's identity for draws and cache keys: its index, or for `for` rows its item's key and sibling. */
export function rowIdentity(ds: DatasetStage, i: number, itemKeys?: string[]): { drawRow: number; stream: string; key: string; item: number } {
  if (!('for' in ds.rows)) return { drawRow: i, stream: '', key: String(i), item: i };
  const each = ds.rows.for.each;
  const j = Math.floor(i / each);
  const k = i % each;
  const itemKey = itemKeys?.[j] ?? String(j);
  const drawRow = (hashString(itemKey, 17) & 0x1fffff) * 4294967296 + hashString(itemKey, 29);
  return { drawRow, stream: each > 1 ? `#${k}` : '', key: each > 1 ? `${itemKey}#${k}` : itemKey, item: j };
}

/**
 * Sets row i's `vary` draws (a pure function of seed, dataset, variable and row identity), its grid values and
 * its `for` item (`item`: the item's value, null when absent) in `env`.
 */
export function drawRow(ds: DatasetStage, i: number, env: Env, id: ReturnType<typeof rowIdentity>, item: Value | undefined): void {
  for (const v of ds.vary) {
    if (v.mode === 'grid') continue;
    env.set(v.name, sample(v.sampler, drawer(ds.seed, ds.name, v.name + id.stream, id.drawRow)));
  }
  const gridVars = ds.vary.filter((v) => v.mode === 'grid');
  if (gridVars.length) {
    const gridValues = gridVars.map((v) => (v.sampler.kind === 'choice' ? v.sampler.values : []));
    const gridSize = gridValues.reduce((a, vs) => a * Math.max(1, vs.length), 1);
    const combo = gridCombination(gridValues, i % gridSize);
    gridVars.forEach((v, k) => env.set(v.name, combo[k]!));
  }
  if ('for' in ds.rows) env.set(ds.rows.for.binder, item ?? null);
}
