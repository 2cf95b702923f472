// A row's identity and its draws, shared by the runtime (runtime/dataset/produce.ts makes the row) and the
// estimate (estimate.ts counts the calls the row will make): both see the same `vary` values, grid values and
// `for` item for row i, so the estimate decides conditions on them exactly as the run will.
import type { Env, Value } from './eval.js';
import type { FakerSource } from './fake.js';
import { UNKNOWN } from './interpret.js';
import { drawer, hashString } from './random.js';
import { gridCombination, gridValues, sample, type SampleContext } from './samplers.js';
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

/** How many of the `each` indices an item reserves are rows: all, or as many as `eachSampler` draws for it. */
export function rowsOfItem(ds: DatasetStage, itemKey: string): number {
  if (!('for' in ds.rows) || !ds.rows.for.eachSampler) return 'for' in ds.rows ? ds.rows.for.each : 1;
  const itemRow = (hashString(itemKey, 17) & 0x1fffff) * 4294967296 + hashString(itemKey, 29);
  return Number(sample(ds.rows.for.eachSampler, drawer(ds.seed, ds.name, '\u0000each', itemRow)));
}

/** A dataset's grid variables, their values and the number of combinations (computed once: rows without prompts
 *  run to millions). */
const grids = new WeakMap<DatasetStage, { vars: DatasetStage['vary']; values: Array<Array<string | number | boolean>>; size: number }>();
function gridOf(ds: DatasetStage): { vars: DatasetStage['vary']; values: Array<Array<string | number | boolean>>; size: number } {
  let g = grids.get(ds);
  if (!g) {
    const vars = ds.vary.filter((v) => v.mode === 'grid');
    const values = vars.map((v) => gridValues(v.sampler));
    g = { vars, values, size: values.reduce((a, vs) => a * Math.max(1, vs.length), 1) };
    grids.set(ds, g);
  }
  return g;
}

/** What a row's draws may need besides their coordinates. */
export interface DrawContext {
  /** faker's locales for `fake` samplers (the runtime loads them) */
  fakers?: FakerSource;
  /** the rows `one_of(TABLE)` / `weighted(TABLE, column)` draw from (the runtime loads them) */
  pools?: SampleContext['pools'];
  /** the estimate: a `fake` or table-row draw it cannot make (no faker or rows loaded) is UNKNOWN rather than an
   *  error */
  explore?: boolean;
}

/**
 * Sets row i's `for` item (`item`: the item's value, null when absent) and grid values, then its `vary` draws (a
 * pure function of seed, dataset, variable and row identity; a sampler's parameters may read the item, the grid
 * values and earlier draws) in `env`; draws below a nested `for` (`level`) are left to the group producer, per
 * part. Throws EvalError when a parameter computed for this row lies outside its distribution's domain: the row
 * fails, the same way every run.
 */
export function drawRow(ds: DatasetStage, i: number, env: Env, id: ReturnType<typeof rowIdentity>, item: Value | undefined, ctx: DrawContext = {}): void {
  if ('for' in ds.rows) env.set(ds.rows.for.binder, item ?? null);
  const grid = gridOf(ds);
  if (grid.vars.length) {
    const combo = gridCombination(grid.values, i % grid.size);
    grid.vars.forEach((v, k) => env.set(v.name, combo[k]!));
  }
  for (const v of ds.vary) {
    if (v.mode === 'grid' || v.level) continue;
    if (ctx.explore && ((v.sampler.kind === 'fake' && !ctx.fakers) || (v.sampler.kind === 'row' && !ctx.pools))) {
      env.set(v.name, UNKNOWN);
      continue;
    }
    env.set(v.name, sample(v.sampler, drawer(ds.seed, ds.name, v.name + id.stream, id.drawRow), { env, index: i, ...(ctx.fakers ? { fakers: ctx.fakers } : {}), ...(ctx.pools ? { pools: ctx.pools } : {}) }));
  }
}
