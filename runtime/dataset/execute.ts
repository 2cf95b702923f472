// Executes one dataset stage of the plan: enumerates row indices, samples `vary` variables, runs the steps
// (let / row / check / judge) with bounded concurrency, deduplicates, and writes rows *in index order*, so the
// output is the same however the work was scheduled, resumed or sharded. See output.ts for crash safety.
import * as path from 'node:path';
import type { DatasetStage, Plan } from '../../compiler/plan/schema.js';
import { SynthError } from '../../base/diagnostics.js';
import { evaluate, EvalError, resolvePrompts, type Env, type Value } from '../../compiler/plan/eval.js';
import { drawer, hashString, uniformAt } from '../../compiler/plan/random.js';
import { gridCombination, gridValues as gridValuesOf, sample } from '../../compiler/plan/samplers.js';
import { evaluateExpects, type ExpectResult } from './expects.js';
import { loadFakers } from './fakers.js';
import { dateColumns } from './parquet-dates.js';
import { NearDuplicateIndex } from './near-dup.js';
import { DatasetOutput, readJournal, type Format } from './output.js';
import { writeFileSync } from 'node:fs';
import { DeferredCall } from '../deferred.js';
import { expandImageRow } from '../images/rows.js';
import { projectImageStore, sweepImageTemps } from '../images/store.js';

export type Row = Record<string, Value>;

/** Calls a prompt for one row. `rowKey` identifies (dataset, row, attempt, call) for caching and resume. */
export interface PromptRunner {
  call(prompt: string, args: Value[], rowKey: string): Promise<{ value: Value; stats: Record<string, number> }>;
  /** rows to run at once when the caller does not say (default 64); batch-mode runners want every row at once */
  window?: number;
}

export interface DatasetRunOptions {
  plan: Plan;
  dataset: DatasetStage;
  /** the spec's folder: relative output paths resolve against it */
  projectRoot: string;
  /** overrides the output folder (the file name is kept) */
  outDir?: string;
  /** stop after this many written rows */
  limit?: number;
  /** items for `for x in ...` datasets */
  items?: Value[];
  /** a stable identity per item (e.g. `world/agent/step/n`, `path#chunk`): random draws, splits and LLM cache
   *  keys derive from it, not from the item's position, so sharded and unsharded runs agree */
  itemKeys?: string[];
  prompts?: PromptRunner;
  concurrency?: number;
  /** start over, ignoring a previous partial run */
  fresh?: boolean;
  /** only rows whose index ≡ shard.index (mod shard.count) */
  shard?: { index: number; count: number };
  /** write the `.keys.jsonl` sidecar `synth merge` needs (set for every shard run) */
  shardKeys?: boolean;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** checked between rows; a stop finishes cleanly (rows written so far are kept and journaled) */
  shouldStop?: () => string | undefined;
  resolveOutput?: (p: string) => string;
}

export interface Progress {
  written: number;
  target: number | undefined;
  failed: number;
  filtered: number;
  duplicates: number;
  /** LLM tokens spent so far (prompt + completion), estimated USD, images written */
  tokens: number;
  costUsd: number;
  images: number;
}

export interface DatasetRunResult {
  name: string;
  output: string;
  format: Format;
  counts: { written: number; failed: number; filtered: number; duplicates: number; resumed: number };
  stats: Record<string, number>;
  splits: Record<string, number>;
  expects: ExpectResult[];
  stoppedEarly: string | undefined;
  wallMs: number;
  /** the last row index decided (written or dropped), and whether every possible index was tried */
  processedThrough: number;
  exhausted: boolean;
}

const SPLIT_STREAM = hashString('\u0000split');

function splitOf(split: Record<string, number> | null, seed: number, dataset: string, i: number): string | undefined {
  if (!split) return undefined;
  const u = uniformAt(seed, SPLIT_STREAM ^ hashString(dataset), i, 0);
  let acc = 0;
  const names = Object.keys(split);
  for (const name of names) {
    acc += split[name]!;
    if (u < acc) return name;
  }
  return names[names.length - 1];
}

function dedupKey(v: Value): string {
  return hashString(JSON.stringify(v)).toString(36) + ':' + hashString(JSON.stringify(v), 7).toString(36);
}

export async function runDataset(o: DatasetRunOptions): Promise<DatasetRunResult> {
  const t0 = Date.now();
  const ds = o.dataset;
  const fakers = await loadFakers(ds); // before anything is opened: a plan for another faker stops here
  const file = o.resolveOutput ? o.resolveOutput(ds.output.path) : o.outDir ? path.join(o.outDir, path.basename(ds.output.path)) : path.resolve(o.projectRoot, ds.output.path);
  // One journal per (dataset stage, output file, shard): a different --out or shard is a different run.
  const journal = path.join(o.projectRoot, '.synth', 'journal', `${ds.name}-${ds.hash}-${hashString(path.resolve(file)).toString(36)}${o.shard ? `-shard${o.shard.index}of${o.shard.count}` : ''}.jsonl`);
  const { out, done } = DatasetOutput.open(file, ds.output.format, journal, o.fresh ?? false);
  out.dateColumns = dateColumns(ds);
  const images = ds.images?.length ? projectImageStore(o.projectRoot) : undefined;
  if (images) {
    // a killed run may have left half-written image files behind
    sweepImageTemps(path.dirname(file));
    sweepImageTemps(images.cacheDir);
  }

  // Replay the journal: which rows are finished, their dedup keys, and the stats they cost.
  const finished = new Set<number>();
  const exact = new Set<string>();
  const near = ds.unique.some((u) => u.similarity !== null) ? new NearDuplicateIndex(ds.seed, ds.unique.find((u) => u.similarity !== null)!.similarity!) : undefined;
  const stats: Record<string, number> = {};
  const addStats = (s: Record<string, number>) => {
    for (const [k, v] of Object.entries(s)) stats[k] = (stats[k] ?? 0) + v;
  };
  const counts = { written: 0, failed: 0, filtered: 0, duplicates: 0, resumed: 0 };
  const splits: Record<string, number> = {};
  const writtenRows: Row[] = [];
  for (const e of done) {
    finished.add(e.i);
    if (e.s) addStats(e.s);
    if (e.drop !== undefined) {
      if (e.drop.startsWith('duplicate')) counts.duplicates++;
      else if (e.drop.startsWith('filtered')) counts.filtered++;
      else counts.failed++;
      continue;
    }
    counts.written++;
    counts.resumed++;
    for (const k of e.k ?? []) {
      if (k.startsWith('x:')) exact.add(k);
      else if (k.startsWith('m:') && near) near.addSignature(k);
    }
  }

  const isFor = 'for' in ds.rows;
  const each = 'for' in ds.rows ? ds.rows.for.each : 1;
  const items = o.items ?? [];
  const totalIndices = isFor ? items.length * each : undefined;
  // `count N` beside a `for`: the first N rows written, in item order (docs/language.md)
  const forCount = 'for' in ds.rows ? ds.rows.for.count : undefined;
  let target = isFor ? Math.min(o.limit ?? Infinity, forCount ?? Infinity, totalIndices!) : Math.min(o.limit ?? Infinity, 'count' in ds.rows ? ds.rows.count : 0);
  // A row-index shard of a dataset with a `count` makes its share plus a margin; `synth merge` verifies the margin sufficed.
  if (o.shard && (!isFor || forCount !== undefined) && target !== undefined) target = Math.min(target, Math.ceil((target / o.shard.count) * 1.25) + 8);
  // A `count` dataset keeps drawing new row indices until `count` rows pass the checks; bound the search.
  const gridVars = ds.vary.filter((v) => v.mode === 'grid');
  const gridValues = gridVars.map((v) => gridValuesOf(v.sampler));
  const gridSize = gridValues.reduce((a, v) => a * Math.max(1, v.length), 1);
  // Rows made only of grid values repeat after one pass over the grid: drawing further indices is pointless.
  const gridOnly = gridVars.length > 0 && gridVars.length === ds.vary.length && ds.prompts.length === 0;
  const maxIndex = isFor ? totalIndices! : gridOnly ? gridSize : Math.max(100, (target ?? 0) * 10);
  const hasPrompts = ds.prompts.length > 0;
  const maxAttempts = hasPrompts ? 1 + Math.max(0, Math.min(10, Number(o.plan.models[o.plan.prompts[ds.prompts[0]!]?.model ?? '']?.settings['retries'] ?? 2))) : 1;

  const inShard = (i: number) => !o.shard || i % o.shard.count === o.shard.index;

  /** Produces the row for index i, or a reason it was dropped. */
  /** The row's identity for draws and cache keys: its index, or for `for` rows its item's key and sibling. */
  const identity = (i: number): { drawRow: number; stream: string; key: string } => {
    if (!isFor) return { drawRow: i, stream: '', key: String(i) };
    const j = Math.floor(i / each);
    const k = i % each;
    const itemKey = o.itemKeys?.[j] ?? String(j);
    const drawRow = (hashString(itemKey, 17) & 0x1fffff) * 4294967296 + hashString(itemKey, 29);
    return { drawRow, stream: each > 1 ? `#${k}` : '', key: each > 1 ? `${itemKey}#${k}` : itemKey };
  };

  const produce = async (i: number): Promise<{ row?: Row; drop?: string; deferred?: string; keys: string[]; stats: Record<string, number> }> => {
    const rowStats: Record<string, number> = {};
    const env: Env = new Map();
    const id = identity(i);
    // The `for` item and the grid values first: a sampler's parameters may read them (and earlier draws).
    if ('for' in ds.rows) env.set(ds.rows.for.binder, items[Math.floor(i / each)] ?? null);
    if (gridVars.length) {
      const combo = gridCombination(gridValues, i % gridSize);
      gridVars.forEach((v, k) => env.set(v.name, combo[k]!));
    }
    try {
      for (const v of ds.vary) {
        if (v.mode === 'grid') continue;
        env.set(v.name, sample(v.sampler, drawer(ds.seed, ds.name, v.name + id.stream, id.drawRow), { env, fakers }));
      }
    } catch (e) {
      // a parameter computed for this row outside its distribution's domain: the row fails, the same way every run
      if (e instanceof EvalError) return { drop: `failed: ${e.message}`, keys: [], stats: rowStats };
      throw e;
    }
    let lastReason = '';
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const scope: Env = new Map(env);
      let ok = true;
      try {
        for (const step of ds.steps) {
          if ('let' in step || 'row' in step) {
            const ir = 'let' in step ? step.expr : step.row;
            const results = hasPrompts
              ? await resolvePrompts(ir, scope, async (prompt, args, n) => {
                  const r = await o.prompts!.call(prompt, args, `${ds.name}/${id.key}/${attempt}/${'let' in step ? step.let : 'row'}/${n}`);
                  for (const [k, v] of Object.entries(r.stats)) rowStats[k] = (rowStats[k] ?? 0) + v;
                  return r.value;
                })
              : undefined;
            scope.set('let' in step ? step.let : 'row', evaluate(ir, scope, results));
          } else if ('check' in step) {
            if (!evaluate(step.check, scope)) {
              ok = false;
              lastReason = `filtered: check ${step.text}`;
              break;
            }
          } else if ('judge' in step) {
            const results = await resolvePrompts(step.call, scope, async (prompt, args, n) => {
              const r = await o.prompts!.call(prompt, args, `${ds.name}/${id.key}/${attempt}/judge:${step.judge}/${n}`);
              for (const [k, v] of Object.entries(r.stats)) rowStats[k] = (rowStats[k] ?? 0) + v;
              return r.value;
            });
            const raw = evaluate(step.call, scope, results);
            const score = typeof raw === 'number' ? raw : raw && typeof raw === 'object' && !Array.isArray(raw) && typeof raw['score'] === 'number' ? raw['score'] : NaN;
            scope.set(step.judge, score);
            if (step.threshold) {
              const th = evaluate(step.threshold, scope) as number;
              if (!(step.op === '>' ? score > th : score >= th)) {
                ok = false;
                lastReason = `filtered: judge ${step.judge} = ${score} (needs ${step.op} ${th})`;
                break;
              }
            }
          }
        }
      } catch (e) {
        if (e instanceof EvalError) {
          ok = false;
          lastReason = `failed: ${e.message}`;
        } else if (e instanceof DeferredCall) {
          return { deferred: e.message, keys: [], stats: rowStats };
        } else if (e instanceof SynthError && e.code === 'SYN5002') {
          ok = false;
          lastReason = `failed: ${e.message}`;
          break; // the LLM client already spent its retry budget on this call
        } else throw e;
      }
      if (ok) {
        const row: Row = {};
        const value = scope.get('row');
        if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(row, value);
        else row['value'] = value ?? null;
        for (const k of ds.keep) row[k] = scope.get(k) ?? null;
        for (const step of ds.steps) if ('judge' in step) row[step.judge] = scope.get(step.judge) ?? null;
        const sp = splitOf(ds.split, ds.seed, ds.name + id.stream, id.drawRow);
        if (sp) row['split'] = sp;
        // Dedup keys are computed here (in parallel); the decision is made at write time, in index order.
        const keys: string[] = [];
        for (const u of ds.unique) {
          const v = evaluate(u.expr, scope);
          if (u.similarity === null) keys.push('x:' + dedupKey(v));
          else if (near) keys.push(near.signature(typeof v === 'string' ? v : JSON.stringify(v)));
        }
        if (attempt > 0) rowStats['retried'] = (rowStats['retried'] ?? 0) + 1;
        if (ds.chat) {
          // Fine-tuning format: one `messages` array per row instead of the record's fields.
          const messages = Object.entries(ds.chat).map(([role, ir]) => ({ role, content: String(evaluate(ir, scope)) }));
          const chatRow: Row = { messages };
          if (row['split'] !== undefined) chatRow['split'] = row['split'];
          return { row: chatRow, keys, stats: rowStats };
        }
        return { row, keys, stats: rowStats };
      }
      if (!hasPrompts) break; // a deterministic row fails the same way every time
    }
    return { drop: lastReason || 'failed', keys: [], stats: rowStats };
  };

  // In-order writer over a window of concurrently produced rows.
  const concurrency = Math.max(1, o.concurrency ?? (hasPrompts ? (o.prompts?.window ?? 64) : 1));
  let next = 0; // next index to schedule
  let writeAt = 0; // next index to write
  const pending = new Map<number, Promise<Awaited<ReturnType<typeof produce>>>>();
  let stoppedEarly: string | undefined;
  const reachedTarget = () => target !== undefined && counts.written >= target;

  const schedule = () => {
    // Never run more rows than could still be needed: each pending row may pass, so stop at the target
    // (a failing or filtered row frees a slot, and the next index is scheduled then).
    while (pending.size < concurrency && next < maxIndex && !stoppedEarly && (target === undefined || counts.written + pending.size < target)) {
      const i = next++;
      if (finished.has(i) || !inShard(i)) continue;
      pending.set(i, produce(i));
    }
  };

  try {
    schedule();
    while (writeAt < maxIndex && !reachedTarget()) {
      if (finished.has(writeAt) || !inShard(writeAt)) {
        writeAt++;
        continue;
      }
      const p = pending.get(writeAt);
      if (!p) {
        if (stoppedEarly) break;
        schedule();
        if (!pending.has(writeAt)) break;
        continue;
      }
      const r = await p;
      if (r.deferred !== undefined) {
        // the answer comes in a later run: stop here, journal nothing for this row
        stoppedEarly = r.deferred;
        break;
      }
      pending.delete(writeAt);
      addStats(r.stats);
      if (r.row) {
        const dup = r.keys.some((k) => (k.startsWith('x:') ? exact.has(k) : near?.isDuplicate(k)));
        if (dup) {
          counts.duplicates++;
          out.drop(writeAt, 'duplicate', r.stats);
        } else {
          for (const k of r.keys) (k.startsWith('x:') ? exact.add(k) : near?.addSignature(k));
          // Image rows: the files are in place before the lines that name them are journaled.
          const { lines, files } = images ? expandImageRow(r.row, ds.images!, images, path.dirname(file)) : { lines: [r.row], files: [] };
          if (images) r.stats['images_written'] = lines.reduce((a, l) => a + ds.images!.filter((f) => l[f] !== null).length, 0);
          out.write(writeAt, lines, r.keys, r.stats, files);
          addStats(images ? { images_written: r.stats['images_written']! } : {});
          counts.written++;
          if (typeof r.row['split'] === 'string') splits[r.row['split']] = (splits[r.row['split']] ?? 0) + 1;
          if (ds.expects.length) writtenRows.push(...lines);
        }
      } else {
        if (r.drop!.startsWith('filtered')) counts.filtered++;
        else counts.failed++;
        out.drop(writeAt, r.drop!, r.stats);
      }
      writeAt++;
      o.onProgress?.({
        written: counts.written,
        target,
        failed: counts.failed,
        filtered: counts.filtered,
        duplicates: counts.duplicates,
        tokens: (stats['prompt_tokens'] ?? 0) + (stats['completion_tokens'] ?? 0),
        costUsd: (stats['cost_micro_usd'] ?? 0) / 1e6,
        images: stats['images_written'] ?? 0,
      });
      stoppedEarly ??= o.shouldStop?.() ?? (o.signal?.aborted ? 'interrupted' : undefined);
      if (!stoppedEarly) schedule();
    }
  } finally {
    // Let in-flight rows settle (their LLM answers land in the cache for the next run), then close.
    await Promise.allSettled(pending.values());
    out.close();
  }
  if (!stoppedEarly) await out.finish();
  if (!stoppedEarly && (o.shard || o.shardKeys)) writeShardKeys(file, journal);

  // Expectations need every row: on a resumed run, re-read the rows written before.
  let expects: ExpectResult[] = [];
  if (ds.expects.length && !stoppedEarly) {
    const all = counts.resumed > 0 ? await readAllRows(file, ds.output.format) : writtenRows;
    expects = evaluateExpects(ds, all);
  }
  return {
    name: ds.name,
    output: file,
    format: ds.output.format,
    counts,
    stats,
    splits,
    expects,
    stoppedEarly,
    wallMs: Date.now() - t0,
    processedThrough: writeAt - 1,
    exhausted: writeAt >= maxIndex,
  };
}

/**
 * Beside a shard's output: each written row's index and dedup keys, in output order, so `synth merge` can
 * restore the global order and apply deduplication across shards.
 */
function writeShardKeys(file: string, journal: string): void {
  const lines = readJournal(journal)
    .filter((e) => e.end !== undefined)
    .map((e) => JSON.stringify({ i: e.i, k: e.k ?? [], ...(e.n !== undefined ? { n: e.n } : {}), ...(e.f ? { f: e.f } : {}) }));
  writeFileSync(shardKeysPath(file), lines.join('\n') + (lines.length ? '\n' : ''));
}

export function shardKeysPath(output: string): string {
  return output.replace(/\.(jsonl|csv|parquet)$/, '') + '.keys.jsonl';
}

async function readAllRows(file: string, format: Format): Promise<Row[]> {
  const { readRows } = await import('./read-rows.js');
  return readRows(file, format);
}
