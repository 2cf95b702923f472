// Executes one dataset stage of the plan. The parts, one job each:
//   produce.ts         row production: one index → a row, or why not (filtered, failed with its cause);
//   journal.ts         every result, journaled with what made it; replayed (and integrity-checked) on reopen;
//   provenance.ts      whether a journaled row can be reused: everything that made it is unchanged;
//   ordered-writer.ts  decides rows in index order over a window of concurrent productions;
//   output-file.ts     the output, built in a temp file and renamed into place when the run ends;
//   outcome.ts         what happened to the rows: counts, causes of missing rows, reuse, status.
// This file wires them: `accept` below is the one place a row's fate is decided (duplicate or written) and
// recorded (journal, output, outcome).
import * as path from 'node:path';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import type { DatasetStage, Plan } from '../../compiler/plan/schema.js';
import type { SynthError } from '../../base/diagnostics.js';
import type { Value } from '../../compiler/plan/eval.js';
import type { CauseGroup } from '../cause.js';
import { expandImageRow, isImageSet, type ImageSet } from '../images/rows.js';
import { imageFileName, intact, projectImageStore, sweepImageTemps, type ImageStore } from '../images/store.js';
import { evaluateExpects, type ExpectResult } from './expects.js';
import { asWriteError, writeFileAtomic, type WriteFaults } from './file-io.js';
import { Journal, type JournalRecord } from './journal.js';
import { NearDuplicateIndex } from './near-dup.js';
import { Outcome, type Counts, type Status } from './outcome.js';
import { describeFile, displayPath, type Format } from './output-file.js';
import { DatasetOutputs, manifestOf, sweepHfStaging, type WrittenFile } from './outputs.js';
import { writeInOrder, type Accepted } from './ordered-writer.js';
import { journalPath, legacyJournalPath, shardKeysPath } from './paths.js';
import { RowActivity } from '../row-activity.js';
import { partSuffix, rowIdentity, rowProducer, type Part, type PromptRunner, type Row, type RowResult, type Stats } from './produce.js';
import type { RowPool } from '../../compiler/plan/samplers.js';
import { inputHash, poolsHash, promptHash, promptKey, recipeHash, staleReason, type Provenance } from './provenance.js';
import { loadFakers } from './fakers.js';

export type { PromptRunner, Row } from './produce.js';
export type { Format } from './output-file.js';
export { shardKeysPath } from './paths.js';

export interface DatasetRunOptions {
  plan: Plan;
  dataset: DatasetStage;
  /** the spec's folder: relative output paths resolve against it */
  projectRoot: string;
  /** overrides the output folder (the file name is kept) */
  outDir?: string;
  /** stop after this many rows (written or failed) */
  limit?: number;
  /** items for `for x in ...` datasets */
  items?: Value[];
  /** a stable identity per item (e.g. `world/agent/step/n`, `path#chunk`): random draws, splits and LLM cache
   *  keys derive from it, not from the item's position, so sharded and unsharded runs agree */
  itemKeys?: string[];
  prompts?: PromptRunner;
  concurrency?: number;
  /** start over, ignoring the journal of earlier runs (LLM answers still come from the cache) */
  fresh?: boolean;
  /** only rows whose index ≡ shard.index (mod shard.count) */
  shard?: { index: number; count: number };
  /** write the `.keys.jsonl` sidecar `synth merge` needs (set for every shard run) */
  shardKeys?: boolean;
  onProgress?: (p: Progress) => void;
  /** one line each: integrity notices (a damaged journal, an output changed since the last run) */
  onNotice?: (line: string) => void;
  signal?: AbortSignal;
  /** checked between rows; a stop finishes cleanly (rows decided so far are kept and journaled) */
  shouldStop?: () => string | undefined;
  resolveOutput?: (p: string) => string;
  /** tests: play a full disk */
  faults?: WriteFaults;
  /** each model block's model name (env() resolved), for `m.model` */
  modelNames?: Record<string, string>;
  /** where `env("NAME")` model settings are read (default process.env): a row's provenance names the model and
   *  endpoint the run resolves them to */
  env?: NodeJS.ProcessEnv;
  /** the rows `one_of(TABLE)` / `weighted(TABLE, column)` draw from (runtime/run/items.ts `pools`) */
  pools?: Map<string, RowPool>;
  /** keep the written rows and their row keys in the result (`written`), for the datasets that read this one */
  collect?: boolean;
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
  format: Format | 'hf';
  counts: Counts;
  /** calls, tokens, cost, attempts: this run and every earlier one, superseded results included (all spent) */
  stats: Record<string, number>;
  /** the same for the results this output is built from only (Outcome.keptStats) */
  keptStats: Record<string, number>;
  splits: Record<string, number>;
  expects: ExpectResult[];
  /** rows the dataset asks for (after --limit and shards); undefined: all its items */
  target: number | undefined;
  /** what `target` and `missing` count: rows, or items (row indices) where one item makes no row or many (a drawn
   *  `each`, a nested `for`) */
  unit: 'rows' | 'items';
  /** rows missing from the output, and why (grouped by cause, largest group first) */
  missing: number;
  causes: CauseGroup[];
  status: Status;
  /** why rows were made again, with counts */
  remadeWhy: Record<string, number>;
  /** why the dataset stopped before it had its rows (interrupted, budget, batch, an unusable endpoint) */
  stoppedEarly: string | undefined;
  /** the dataset stopped because calls cannot succeed (SYN5020, SYN5021): the run stops with it */
  error: SynthError | undefined;
  /** stopped at a row a provider batch answers later */
  deferred: boolean;
  /** the output as written: lines and sha256 (the first row file when there are several) */
  file: WrittenFile;
  /** every file written: the row files (one per split with `{split}`; Parquet shards of an hf folder), chat
   *  files, a dataset card */
  files: WrittenFile[];
  /** the manifest's path */
  manifest: string;
  wallMs: number;
  /** `--limit`, when it asked for fewer rows than the dataset has (the manifest's status is then `limited`) */
  limit: number | undefined;
  /** the last row index decided, and whether every possible index was decided */
  processedThrough: number;
  exhausted: boolean;
  /** with `collect`: the written rows in output order, and each one's row key (what a reading dataset's draws,
   *  cache keys and shard merges go by) */
  written?: { items: Row[]; keys: string[] };
}

export async function runDataset(o: DatasetRunOptions): Promise<DatasetRunResult> {
  const t0 = Date.now();
  const ds = o.dataset;
  const fakers = await loadFakers(ds); // before anything is opened: a plan for another faker stops here
  const notice = o.onNotice ?? (() => undefined);
  const file = o.resolveOutput ? o.resolveOutput(ds.output.path) : o.outDir ? path.join(o.outDir, path.basename(ds.output.path)) : path.resolve(o.projectRoot, ds.output.path);
  const images = ds.images?.length ? projectImageStore(o.projectRoot) : undefined;
  if (images) {
    // a killed run may have left half-written image files behind
    sweepImageTemps(path.dirname(file));
    sweepImageTemps(images.cacheDir);
  }
  if (ds.output.format === 'hf') sweepHfStaging(file);
  const manifest = manifestOf(file, ds);

  const journalFile = journalPath(o.projectRoot, ds.name, file, o.shard);
  adoptLegacyJournal(legacyJournalPath(o.projectRoot, ds.name, file, o.shard), journalFile);
  const { journal, replay } = Journal.open(journalFile, { fresh: o.fresh ?? false, ...(o.faults ? { faults: o.faults } : {}) });
  if (replay.damaged) notice(`note: ${displayPath(journal.file)}: ${replay.damaged} line${replay.damaged === 1 ? '' : 's'} failed the integrity check and ${replay.damaged === 1 ? 'was' : 'were'} dropped; those rows are made again`);
  if (replay.existed && !o.fresh) await noticeChangedOutput(manifest, notice);
  else if (!replay.existed && existsSync(manifest) && !o.fresh) notice(`note: ${displayPath(file)} has no journal here; its rows are made again (LLM answers still come from the cache)`);

  const outcome = new Outcome();
  outcome.addStats(replay.stats);

  // Which indices exist, and how many rows the dataset asks for. A `for` dataset and a grid decide each index
  // once (a filtered row is not replaced); a `count` dataset draws indices until `count` rows are written.
  const grid = 'count' in ds.rows && ds.rows.grid === true;
  const isFor = 'for' in ds.rows || grid;
  const each = 'for' in ds.rows ? ds.rows.for.each : 1;
  const items = o.items ?? [];
  const totalIndices = 'for' in ds.rows ? items.length * each : grid && 'count' in ds.rows ? ds.rows.count : undefined;
  // `count N` beside a `for`: the first N rows, in item order (docs/language.md)
  const forCount = 'for' in ds.rows ? ds.rows.for.count : undefined;
  // one index may make no row or many (a drawn `each`, a nested `for`): the target then counts row indices, unless
  // a `count` says how many rows
  const varyingRows = ('for' in ds.rows && ds.rows.for.eachSampler !== undefined) || ds.nested === true;
  const indexUnits = isFor && forCount === undefined && varyingRows;
  let target = isFor ? Math.min(o.limit ?? Infinity, forCount ?? Infinity, forCount !== undefined && varyingRows ? Infinity : totalIndices!) : Math.min(o.limit ?? Infinity, 'count' in ds.rows ? ds.rows.count : 0);
  // `--limit` below what the dataset asks for: the manifest says `limited`, not `complete`
  const unlimited = isFor ? Math.min(forCount ?? Infinity, forCount !== undefined && varyingRows ? Infinity : totalIndices!) : 'count' in ds.rows ? ds.rows.count : 0;
  const limit = o.limit !== undefined && o.limit < unlimited ? o.limit : undefined;
  // A row-index shard of a dataset with a `count` (alone or beside a `for`) makes its share plus a margin;
  // `synth merge` verifies the margin sufficed.
  // A shard searches the row indices one run would (below), so the merge has every row one run could keep.
  const wholeTarget = target;
  const shardMargin = o.shard !== undefined && (!isFor || forCount !== undefined) && target !== undefined;
  if (shardMargin) target = Math.min(target!, Math.ceil((target! / o.shard!.count) * 1.25) + 8);
  // A shard of a `for` dataset asks for its own items only.
  else if (o.shard && isFor && target !== undefined) target = Math.floor(target / o.shard.count) + (o.shard.index < target % o.shard.count ? 1 : 0);
  // A `count` dataset keeps drawing new row indices until `count` rows pass the checks; bound the search.
  const gridVars = ds.vary.filter((v) => v.mode === 'grid');
  const gridSize = gridVars.map((v) => (v.sampler.kind === 'choice' ? v.sampler.values.length : 0)).reduce((a, n) => a * Math.max(1, n), 1);
  // Rows made only of grid values repeat after one pass over the grid: drawing further indices is pointless.
  const gridOnly = gridVars.length > 0 && gridVars.length === ds.vary.length && ds.prompts.length === 0;
  const maxIndex = isFor ? totalIndices! : gridOnly ? gridSize : Math.max(100, (wholeTarget ?? 0) * 10);
  const itemKeyOf = (i: number) => ('for' in ds.rows ? (o.itemKeys?.[Math.floor(i / each)] ?? String(Math.floor(i / each))) : undefined);
  const forItems = 'for' in ds.rows;
  const inShard = (i: number) => !o.shard || i % o.shard.count === o.shard.index;

  // Reuse: a journaled result is taken as it is when everything that made it is unchanged (provenance.ts).
  const recipe = recipeHash(ds);
  // the rows its draws take rows from (tables, upstream datasets): an input of every row, like a `for` item
  const pooled = poolsHash(o.pools);
  const promptHashes = new Map<string, string>();
  const promptHashOf = (name: string) => {
    let h = promptHashes.get(name);
    if (h === undefined) promptHashes.set(name, (h = promptHash(o.plan, name, o.env ?? process.env)));
    return h;
  };
  const outFolder = path.dirname(file);
  const reuseMemo = new Map<number, { result?: RowResult; remade?: string }>();
  const reuseOf = (i: number): { result?: RowResult; remade?: string } => {
    let m = reuseMemo.get(i);
    if (m) return m;
    if (!replay.rows.has(i)) return NOTHING_KEPT; // nothing journaled for the row (most rows of a first run)
    const rec = replay.rows.get(i);
    m = rec ? judgeRecord(rec, i) : {};
    reuseMemo.set(i, m);
    return m;
  };
  const judgeRecord = (rec: JournalRecord, i: number): { result?: RowResult; remade?: string } => {
    if (rec.c) return { remade: rec.c.kind === 'stopped' || rec.c.kind === 'budget' ? 'an earlier run stopped before making it' : 'it failed in an earlier run' };
    const x = forItems ? inputHash(rowIdentity(ds, i, o.itemKeys).key, items[Math.floor(i / each)]) : undefined;
    const why = staleReason(rec.p ?? { d: '' }, { d: recipe, ...(x !== undefined ? { x } : {}), ...(pooled !== undefined ? { w: pooled } : {}) }, promptHashOf);
    if (why) return { remade: why };
    if (rec.g) {
      if (images && rec.g.some((p) => p.r && !imagesAvailable(p.r, ds.images!, images, outFolder))) return { remade: 'its image files are missing or damaged' };
      if (ds.chat && rec.g.some((p) => p.r && !p.ch)) return { remade: 'its chat line was not journaled' };
      const parts: Part[] = rec.g.map((p) => (p.r ? { kind: 'row', at: p.at, row: p.r, keys: p.k ?? NONE, ...(p.sp !== undefined ? { split: p.sp } : {}), ...(p.ch ? { chat: p.ch } : {}) } : { kind: 'filtered', at: p.at, reason: p.x ?? 'filtered' }));
      return { result: { kind: 'group', parts, stats: NO_STATS, prompts: NO_PROMPTS } };
    }
    if (rec.r) {
      if (images && !imagesAvailable(rec.r, ds.images!, images, outFolder)) return { remade: 'its image files are missing or damaged' };
      if (ds.chat && !rec.ch) return { remade: 'its chat line was not journaled' };
      const row: RowResult = { kind: 'row', row: rec.r, keys: rec.k ?? NONE, stats: NO_STATS, prompts: NO_PROMPTS };
      if (rec.sp !== undefined) row.split = rec.sp;
      if (rec.ch) row.chat = rec.ch;
      return { result: row };
    }
    return { result: { kind: 'filtered', reason: rec.x ?? 'filtered', stats: NO_STATS, prompts: NO_PROMPTS } };
  };

  const near = ds.unique.some((u) => u.similarity !== null) ? new NearDuplicateIndex(ds.seed, ds.unique.find((u) => u.similarity !== null)!.similarity!) : undefined;
  const produce = rowProducer({
    dataset: ds,
    ...(o.items ? { items: o.items } : {}),
    ...(o.itemKeys ? { itemKeys: o.itemKeys } : {}),
    ...(o.prompts ? { prompts: o.prompts } : {}),
    promptHash: promptHashOf,
    promptKey: (prompt, model) => promptKey(o.plan, prompt, model),
    ...(near ? { near } : {}),
    ...(o.modelNames ? { modelNames: o.modelNames } : {}),
    activity: new RowActivity(),
    ...(o.pools ? { pools: o.pools } : {}),
    ...(fakers ? { fakers } : {}),
  });

  const output = new DatasetOutputs(file, ds, o.plan, o.faults);
  const exact = new Set<string>();
  const shardKeys: string[] = [];
  const shardKeysOn = o.shard !== undefined || o.shardKeys === true;
  const expectRows: Row[] = [];
  const written: { items: Row[]; keys: string[] } | undefined = o.collect ? { items: [], keys: [] } : undefined;
  let imagesWritten = 0;
  let error: SynthError | undefined;

  /** One row the index decided to write (a row, or a part of a group): dedup, output (and its chat line),
   *  sidecar, collection. */
  const writeRow = (i: number, row: Row, keys: string[], split: string | undefined, chat: Row | undefined, at: number[] | undefined): boolean => {
    // a row (not a group's part) was serialised once when it settled: its JSONL line reuses that text
    const duplicate = keys.some((k) => (k.startsWith('x:') ? exact.has(k) : near?.isDuplicate(k)));
    // A shard cannot decide a duplicate: the row it repeats may be one `synth merge` drops (a parent the merge
    // does not keep, a row dropped as a duplicate of another shard's on a second key), and then one run keeps
    // this one. So a shard writes it too, marked in its keys file (`d`), and the merge decides every duplicate in
    // the global order. It still counts as a duplicate here (not towards the shard's rows).
    if (duplicate && !shardKeysOn) {
      outcome.duplicate();
      return false;
    }
    if (!duplicate) for (const k of keys) (k.startsWith('x:') ? exact.add(k) : near?.addSignature(k));
    // Image rows: the files are in place (under the output's folder) before the lines that name them.
    const { lines, files } = images ? expandImageRow(row, ds.images!, images, outFolder) : { lines: [row], files: [] };
    output.write(lines, split, chat, images || at !== undefined ? undefined : rowJson.get(i));
    const rowKey = rowIdentity(ds, i, o.itemKeys).key + partSuffix(at ?? []);
    if (shardKeysOn) {
      const u = 'for' in ds.rows && ds.rows.for.kind === 'dataset' ? itemKeyOf(i) : undefined;
      shardKeys.push(JSON.stringify({ i, ...(at?.length ? { at } : {}), k: keys, ...(lines.length !== 1 ? { n: lines.length } : {}), ...(files.length ? { f: files } : {}), ...(written ? { r: rowKey } : {}), ...(u !== undefined ? { u } : {}), ...(duplicate ? { d: 1 } : {}) }));
    }
    // a shard's row that repeats another's still feeds the shard's readers: the merge keeps their rows if it
    // keeps this one
    if (written) {
      written.items.push(row);
      written.keys.push(rowKey);
    }
    if (duplicate) {
      outcome.duplicate();
      return false;
    }
    outcome.written(split);
    if (images) imagesWritten += lines.reduce((n, l) => n + ds.images!.filter((f) => l[f] !== null && l[f] !== undefined).length, 0);
    if (ds.expects.length) expectRows.push(...lines);
    return true;
  };

  /** Decides row i (in index order) and records it: journal (new results), output (written rows), outcome. */
  const accept = (i: number, r: RowResult, reused: boolean): Accepted | { deferred: string } => {
    if (r.kind === 'deferred') return { deferred: r.message }; // the answer comes in a later run: journal nothing for it
    if (r.kind === 'absent') {
      // no row has this index (a drawn `each` below its most): decided, nothing to journal or write
      outcome.absent();
      return { counted: indexUnits ? 'written' : 'dropped' };
    }
    outcome.source(reused, reused ? undefined : reuseOf(i).remade);
    // the spend behind this result: a reused one's is on its journal record (parsed only when it has any)
    if (!reused) outcome.addKept(r.stats);
    else if (replay.rows.lineOf(i)?.includes('"s":{')) outcome.addKept(replay.rows.get(i)?.s);
    // decided once: what the journal held for this row is not needed again
    reuseMemo.delete(i);
    replay.rows.delete(i);
    // a new result was journaled when it settled (see `settled` below); its spend counts once it is decided
    if (!reused) outcome.addStats(r.stats);
    let a: Accepted;
    if (r.kind === 'group') {
      // each part in element order; a `count` dataset takes parts until it has its rows
      let n = 0;
      outcome.beginGroup();
      for (const p of r.parts) {
        if (!indexUnits && target !== undefined && outcome.counts.written >= target) break;
        if (p.kind === 'filtered') outcome.filtered();
        else if (writeRow(i, p.row, p.keys, p.split, p.chat, p.at)) n++;
      }
      outcome.endGroup();
      a = indexUnits ? { counted: 'written' } : n > 0 ? { counted: 'written', units: n } : { counted: 'dropped' };
    } else if (r.kind === 'row') {
      a = writeRow(i, r.row, r.keys, r.split, r.chat, undefined) ? { counted: 'written' } : { counted: 'dropped' };
    } else if (r.kind === 'filtered') {
      outcome.filtered();
      a = { counted: indexUnits ? 'written' : 'dropped' };
    } else {
      outcome.failed(i, r.cause);
      if (r.stop) error ??= r.stop;
      a = { counted: 'failed', ...(r.stop ? { stop: `${r.stop.code}: ${r.stop.message}` } : {}) };
    }
    rowJson.delete(i);
    progress(false);
    return a;
  };

  /** Tells `onProgress` where the dataset is: at most every 100 ms (a row can take microseconds), and at the end. */
  let lastProgress = 0;
  // A report skipped by the 100 ms rule is sent when the interval ends, so the display never stays behind while
  // the run waits (30 rows written in a burst, then every row waiting on the model, showed "1/40 rows").
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const progress = (final: boolean) => {
    if (!o.onProgress) return;
    const now = Date.now();
    if (!final && now - lastProgress < 100) {
      trailing ??= setTimeout(() => {
        trailing = undefined;
        progress(false);
      }, 100 - (now - lastProgress));
      trailing.unref();
      return;
    }
    if (trailing !== undefined) clearTimeout(trailing);
    trailing = undefined;
    lastProgress = now;
    const c = outcome.counts;
    o.onProgress({
      written: c.written,
      target: indexUnits ? undefined : target,
      failed: c.failed,
      filtered: c.filtered,
      duplicates: c.duplicates,
      tokens: (outcome.stats['prompt_tokens'] ?? 0) + (outcome.stats['completion_tokens'] ?? 0),
      costUsd: (outcome.stats['cost_micro_usd'] ?? 0) / 1e6,
      images: imagesWritten,
    });
  };

  // The JSON of each made row, serialised once as it settles: for its journal line and, in JSONL, its output line.
  const rowJson = new Map<number, string>();
  // What made a row, as JSON, when no prompt or input varies it per row (a `count` dataset without prompts).
  const fixedProvenance = JSON.stringify(provenanceOf(recipe, {}, undefined, pooled));
  const journalRecord = (i: number, r: Exclude<RowResult, { kind: 'deferred' } | { kind: 'absent' }>): number => {
    const x = forItems ? inputHash(rowIdentity(ds, i, o.itemKeys).key, items[Math.floor(i / each)]) : undefined;
    if (r.kind !== 'row') return journal.append(recordOf(i, r, recipe, x, pooled));
    const json = JSON.stringify(r.row);
    rowJson.set(i, json);
    const p = x === undefined && !Object.keys(r.prompts).length ? fixedProvenance : JSON.stringify(provenanceOf(recipe, r.prompts, x, pooled));
    // the members in recordOf's order, so the line is the one `journal.append(recordOf(...))` would write
    const s: Stats | undefined = Object.keys(r.stats).length ? r.stats : undefined;
    return journal.appendJson(
      `{"i":${i},"p":${p},"r":${json}${r.keys.length ? `,"k":${JSON.stringify(r.keys)}` : ''}${r.split !== undefined ? `,"sp":${JSON.stringify(r.split)}` : ''}${r.chat ? `,"ch":${JSON.stringify(r.chat)}` : ''}${s ? `,"s":${JSON.stringify(s)}` : ''}}`,
      s !== undefined,
    );
  };

  let end;
  let files: WrittenFile[];
  try {
    output.open();
    end = await writeInOrder<RowResult>({
      maxIndex,
      target,
      inShard,
      concurrency: Math.max(1, o.concurrency ?? (ds.prompts.length ? (o.prompts?.window ?? 64) : 1)),
      reuse: (i) => reuseOf(i).result,
      produce,
      // Journaled as it settles, in any order: a row made behind a slow one is kept even if the run stops before
      // deciding it. Its line's length is what it costs the reorder window.
      settled: (i, r) => (r.kind === 'deferred' || r.kind === 'absent' ? 64 : journalRecord(i, r)),
      accept,
      shouldStop: () => o.shouldStop?.() ?? (o.signal?.aborted ? 'interrupted' : undefined),
    });
    progress(true);
    journal.close();
    // the card of an hf folder says when it holds fewer rows than the spec asks for (`--limit`, missing rows)
    files = await output.commit({ asked: Number.isFinite(unlimited) ? unlimited : undefined, limit });
    if (shardKeysOn) writeFileAtomic(shardKeysPath(file), shardKeys.map((l) => l + '\n').join(''), o.faults);
  } catch (e) {
    if (trailing !== undefined) clearTimeout(trailing);
    try {
      journal.close();
    } catch {
      journal.abandon(); // the disk refused the journal too: the next run cuts its torn end
    }
    output.abandon();
    // a full disk or a refused write anywhere on the way (an image file, a folder) is SYN5023, not a crash
    throw asWriteError(e, file);
  }

  const stoppedEarly = end.stopped;
  if (images) outcome.stats['images_written'] = imagesWritten;
  // Expectations are measured on complete datasets' rows (all of them pass through the writer, reused or not).
  const expects: ExpectResult[] = ds.expects.length && !stoppedEarly ? evaluateExpects(ds, expectRows) : [];
  const fin = outcome.finish({
    target,
    forDataset: isFor,
    rowsCounted: isFor && forCount !== undefined && varyingRows,
    exhausted: end.exhausted,
    ...(stoppedEarly !== undefined ? { stopped: stoppedEarly } : {}),
    exhaustedAt: maxIndex,
    marginOnly: shardMargin,
  });
  return {
    name: ds.name,
    output: file,
    format: ds.output.format,
    counts: outcome.counts,
    stats: outcome.stats,
    keptStats: outcome.keptStats,
    splits: outcome.splits,
    expects,
    target,
    unit: indexUnits ? 'items' : 'rows',
    missing: fin.missing,
    causes: fin.causes,
    status: fin.status,
    remadeWhy: Object.fromEntries(outcome.remadeWhy),
    stoppedEarly,
    error,
    deferred: end.deferred,
    file: files[0]!,
    files,
    manifest,
    wallMs: Date.now() - t0,
    processedThrough: end.processedThrough,
    exhausted: end.exhausted,
    limit,
    ...(written ? { written } : {}),
  };
}

// shared by reused results (never mutated: a reused result's stats were counted when it was made)
const NONE: string[] = [];
const NOTHING_KEPT: { result?: RowResult; remade?: string } = Object.freeze({});
const NO_STATS: Stats = Object.freeze({}) as Stats;
const NO_PROMPTS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The journal record of a freshly made result. */
function recordOf(i: number, r: Exclude<RowResult, { kind: 'deferred' } | { kind: 'absent' }>, recipe: string, x: string | undefined, pooled: string | undefined): JournalRecord {
  const s: Stats | undefined = Object.keys(r.stats).length ? r.stats : undefined;
  if (r.kind === 'failed') return { i, c: r.cause, ...(s ? { s } : {}) };
  const p = provenanceOf(recipe, r.prompts, x, pooled);
  if (r.kind === 'group') {
    const g = r.parts.map((q) => (q.kind === 'row' ? { at: q.at, r: q.row, ...(q.keys.length ? { k: q.keys } : {}), ...(q.split !== undefined ? { sp: q.split } : {}), ...(q.chat ? { ch: q.chat } : {}) } : { at: q.at, x: q.reason.slice(0, 300) }));
    return { i, p, g, ...(s ? { s } : {}) };
  }
  if (r.kind === 'filtered') return { i, p, x: r.reason.slice(0, 300), ...(s ? { s } : {}) };
  return { i, p, r: r.row, ...(r.keys.length ? { k: r.keys } : {}), ...(r.split !== undefined ? { sp: r.split } : {}), ...(r.chat ? { ch: r.chat } : {}), ...(s ? { s } : {}) };
}

/** What made a row: the dataset's recipe, the prompts it called, its input, the pools it draws from (provenance.ts). */
function provenanceOf(recipe: string, prompts: Record<string, string>, x: string | undefined, pooled: string | undefined): Provenance {
  return { d: recipe, ...(Object.keys(prompts).length ? { q: prompts } : {}), ...(x !== undefined ? { x } : {}), ...(pooled !== undefined ? { w: pooled } : {}) };
}

/** Says so when an output differs from what its manifest records (edited, truncated, replaced since the last
 *  run): it is rebuilt from the journal, never appended to. Every file the manifest lists is compared. */
async function noticeChangedOutput(manifest: string, notice: (line: string) => void): Promise<void> {
  if (!existsSync(manifest)) return;
  let recorded: { file?: RecordedFile; files?: RecordedFile[] };
  try {
    recorded = JSON.parse(readFileSync(manifest, 'utf8')) as typeof recorded;
  } catch {
    return;
  }
  const files = recorded.files ?? (recorded.file ? [{ ...recorded.file, format: undefined }] : []);
  for (const f of files) {
    if (typeof f?.sha256 !== 'string' || typeof f.name !== 'string') continue;
    const file = path.join(path.dirname(manifest), f.name);
    if (!existsSync(file)) {
      notice(`note: ${displayPath(file)} is missing; rebuilding it from the journal`);
      continue;
    }
    const format: Format = f.format === 'parquet' || file.endsWith('.parquet') ? 'parquet' : f.format === 'csv' || file.endsWith('.csv') ? 'csv' : 'jsonl';
    const now = await describeFile(file, format);
    if (now.sha256 !== f.sha256) notice(`note: ${displayPath(file)} changed since the last run (its sha256 no longer matches the manifest); rebuilding it from the journal`);
  }
}

interface RecordedFile {
  name?: unknown;
  sha256?: unknown;
  format?: unknown;
}

/** Moves a journal from where an earlier synth kept it (keyed by the output's absolute path) to `now`, unless
 *  `now` exists (the output lock is held: no other run is at either file). */
function adoptLegacyJournal(legacy: string, now: string): void {
  if (legacy === now || existsSync(now) || !existsSync(legacy)) return;
  try {
    renameSync(legacy, now);
  } catch {
    // left where it is: the rows are made again, as before the move
  }
}

/** Can a journaled image row be written again: is each of its images in the output's folder or the store? */
function imagesAvailable(row: Row, fields: readonly string[], store: ImageStore, outDir: string): boolean {
  for (const f of fields) {
    const v = row[f];
    if (!isImageSet(v)) continue;
    for (const img of (v as unknown as ImageSet).$images) {
      // intact copies only (a file edited in place is removed by the check): one is placed from the other
      if (!intact(path.join(outDir, 'images', imageFileName(img)), img.sha256) && !store.has(img)) return false;
    }
  }
  return true;
}
