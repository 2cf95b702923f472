// `synth merge DIR...`: combines the outputs of `synth run --shard i/n` into what one unsharded run writes.
// Rows are put back in global order (row index, then element path for a nested `for`, for `count`, grid, table
// and document datasets; shard order then row order for datasets fed by world-sharded simulations; the merged
// order of the rows read for a dataset that reads another), deduplication is decided in that order (a shard writes
// the rows it found duplicates too, marked: the row they repeat may be one the merge drops), and a
// `count` dataset keeps its first `count` rows. A dataset that reads another is merged after it, and keeps only
// the rows made from rows the merged dataset kept (a shard of `count` rows makes a margin beyond its share).
// Shards of a different plan, missing shards or repeated shards are refused.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { DatasetStage } from '../compiler/plan/schema.js';
import { canonicalJson } from '../compiler/plan/canonical.js';
import { synthError } from '../base/diagnostics.js';
import { describeFile } from './dataset/output-file.js';
import { shardKeysPath } from './dataset/paths.js';
import { evaluateExpects } from './dataset/expects.js';
import { NearDuplicateIndex } from './dataset/near-dup.js';
import { parquetColumnTypes } from './dataset/parquet-schema.js';
import { readRows } from './dataset/read-rows.js';
import { CALL_COUNTS } from './manifest.js';

interface ShardManifest {
  plan: string;
  spec: string;
  tool: string;
  dataset: { name: string; hash: string; seed: number; output: string; format: 'jsonl' | 'csv' | 'parquet'; split: unknown };
  shard: { index: number; count: number } | null;
  merge: { rows: DatasetStage['rows']; unique: Array<number | null>; expects: DatasetStage['expects']; processed_through: number; exhausted: boolean };
  counts: Record<string, number>;
  tokens: { prompt: number; completion: number };
  cost_usd: number;
  [k: string]: unknown;
}

interface Piece {
  manifest: ShardManifest;
  dir: string;
  lines: string[]; // raw serialized rows (JSONL lines or CSV records), for byte-identical output
  header?: string;
  /** per written row: its index, dedup keys, output lines (n, default 1) and files it names (image rows) */
  keys: ShardKey[];
  /** the shard output's folder (image files are relative to it) */
  folder: string;
}

interface ShardKey {
  i: number;
  /** a group part's element path (a nested `for`) */
  at?: number[];
  k: string[];
  n?: number;
  f?: string[];
  /** the row's key, for a dataset another dataset reads */
  r?: string;
  /** the key of the row read (of the dataset this one reads) that made this row */
  u?: string;
  /** 1: the shard found this row a duplicate of one before it; the merge decides (a shard cannot: the row it
   *  repeats may be one the merge drops) */
  d?: 1;
}

/** Lexicographic order of two sort keys. */
function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** One merged dataset: its output file, rows written and duplicates only visible across shards (removed). */
export interface MergeResult {
  dataset: string;
  output: string;
  rows: number;
  duplicatesAcrossShards: number;
}

/**
 * Merges the shard outputs whose manifests lie in `dirs` into `outDir`, one output (plus manifest) per dataset,
 * byte-identical to what one unsharded run writes. Throws SynthError SYN5201 for a missing folder, SYN5104 for no
 * shard manifests, SYN5101-5103 for an incomplete shard, SYN5105/5106 for shards of different plans or counts,
 * SYN5107/5108 for a repeated or missing shard, SYN5109/SYN5041 for a shard margin that did not suffice.
 */
/**
 * Shards of a dataset fed by a simulation whose results are not bit-identical across backends (f32 division:
 * WGSL lets a driver divide to 2.5 ULP) must all have run it on one backend, or the merged rows would mix two
 * computations. Sims that are exact on every backend may mix backends freely. Throws SYN5008.
 */
function refuseMixedBackends(dataset: string, manifests: ShardManifest[]): void {
  const sims = new Set(manifests.flatMap((m) => Object.keys((m['sims'] as Record<string, unknown> | undefined) ?? {})));
  for (const sim of sims) {
    const runs = manifests.map((m) => ({ shard: m.shard!, run: ((m['sims'] as Record<string, { backend: string; exact: boolean; inexact?: string[] }> | undefined) ?? {})[sim] }));
    const inexact = runs.find((r) => r.run && !r.run.exact)?.run;
    if (!inexact) continue;
    const first = runs.find((r) => r.run)!;
    const other = runs.find((r) => r.run && r.run.backend !== first.run!.backend);
    if (!other) continue;
    throw synthError('SYN5008', {
      dataset,
      a: `${first.shard.index}/${first.shard.count}`,
      b: `${other.shard.index}/${other.shard.count}`,
      sim,
      x: first.run!.backend,
      y: other.run!.backend,
      why: (inexact.inexact ?? []).slice(0, 2).join('; ') || 'its arithmetic is not bit-identical across backends',
    });
  }
}

export async function mergeShards(dirs: string[], outDir: string): Promise<MergeResult[]> {
  const pieces = new Map<string, Piece[]>();
  for (const dir of dirs) {
    if (!existsSync(dir)) throw synthError('SYN5201', { path: dir, problem: 'does not exist', command: 'merge', hint: '' });
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.manifest.json'))) {
      const manifest = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ShardManifest;
      if (!manifest.shard) continue;
      // merging a shard with rows missing would give a dataset short of rows with exit 0
      const shardState = manifest as { status?: string; counts: Record<string, number>; stopped?: string | null };
      if (shardState.status === 'incomplete' && ((shardState.counts['failed'] ?? 0) > 0 || shardState.stopped)) throw synthError('SYN5101', { manifest: path.join(dir, f) });
      const file = path.join(dir, manifest.dataset.output);
      const keysFile = shardKeysPath(file);
      if (!existsSync(file) || !existsSync(keysFile)) throw synthError('SYN5102', { file });
      const keys = readFileSync(keysFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ShardKey);
      let lines: string[];
      let header: string | undefined;
      if (manifest.dataset.format === 'parquet') lines = (await readRows(file, 'parquet')).map((r) => JSON.stringify(r));
      else {
        lines = splitRecords(readFileSync(file, 'utf8'), manifest.dataset.format);
        if (manifest.dataset.format === 'csv') header = lines.shift();
      }
      const expected = keys.reduce((a, key) => a + (key.n ?? 1), 0);
      if (lines.length !== expected) throw synthError('SYN5103', { file, lines: lines.length, expected });
      const list = pieces.get(manifest.dataset.name) ?? [];
      list.push({ manifest, dir, lines, keys, folder: path.dirname(file), ...(header !== undefined ? { header } : {}) });
      pieces.set(manifest.dataset.name, list);
    }
  }
  if (pieces.size === 0) throw synthError('SYN5104', { folders: dirs.join(', ') });
  const results: MergeResult[] = [];
  mkdirSync(outDir, { recursive: true });
  // the merged order of each dataset's rows by row key, for the datasets that read it
  const mergedOrder = new Map<string, Map<string, number>>();
  for (const name of readOrder(pieces)) {
    const list = pieces.get(name)!;
    const first = list[0]!.manifest;
    const n = first.shard!.count;
    for (const p of list) {
      if (p.manifest.plan !== first.plan) throw synthError('SYN5105', { dataset: name, a: first.plan, b: p.manifest.plan });
      if (p.manifest.shard!.count !== n) throw synthError('SYN5106', { dataset: name, a: n, b: p.manifest.shard!.count });
    }
    refuseMixedBackends(name, list.map((p) => p.manifest));
    const seen = new Set(list.map((p) => p.manifest.shard!.index));
    if (seen.size !== list.length) throw synthError('SYN5107', { dataset: name });
    const missing = [...Array(n).keys()].filter((i) => !seen.has(i));
    if (missing.length) throw synthError('SYN5108', { dataset: name, shards: missing.map((i) => `${i}/${n}`).join(', ') });
    list.sort((a, b) => a.manifest.shard!.index - b.manifest.shard!.index);

    // Global order: count, grid, table and document datasets share row indices across shards; sim-fed ones are
    // world blocks, so shard order then local order; a dataset that reads another follows the merged order of the
    // rows it read (and drops rows made from rows that merge did not keep).
    const rowsFor = 'for' in first.merge.rows ? first.merge.rows.for : undefined;
    const bySimWorlds = rowsFor !== undefined && (rowsFor.kind === 'event' || rowsFor.kind === 'trajectory');
    const upstream = rowsFor?.kind === 'dataset' ? mergedOrder.get(rowsFor.from) : undefined;
    if (rowsFor?.kind === 'dataset' && !upstream) throw synthError('SYN5059', { dataset: name, upstream: rowsFor.from });
    const all: Array<{ order: number[]; lines: string[]; k: string[]; files: string[]; folder: string; r?: string; d?: 1 }> = [];
    for (const p of list) {
      let at = 0;
      for (const key of p.keys) {
        const n = key.n ?? 1;
        const lines = p.lines.slice(at, at + n);
        at += n;
        let order: number[];
        if (upstream) {
          const pos = key.u !== undefined ? upstream.get(key.u) : undefined;
          if (pos === undefined) continue; // made from a row the merged dataset it reads does not have
          order = [pos, key.i, ...(key.at ?? [])];
        } else order = bySimWorlds ? [p.manifest.shard!.index, key.i, ...(key.at ?? [])] : [key.i, ...(key.at ?? [])];
        all.push({ order, lines, k: key.k, files: key.f ?? [], folder: p.folder, ...(key.r !== undefined ? { r: key.r } : {}), ...(key.d ? { d: key.d } : {}) });
      }
    }
    all.sort((a, b) => compareOrder(a.order, b.order));

    const exact = new Set<string>();
    const sim = first.merge.unique.find((u) => u !== null);
    const near = sim !== undefined && sim !== null ? new NearDuplicateIndex(first.dataset.seed, sim) : undefined;
    const rowsSpec = first.merge.rows;
    // `count`, alone or beside a `for`: the merged dataset keeps its first `count` rows (a grid's count is its
    // cells: each decided once, so a filtered cell is no row missing)
    const target = 'count' in rowsSpec ? (rowsSpec.grid ? Infinity : rowsSpec.count) : (rowsSpec.for.count ?? Infinity);
    const kept: string[] = [];
    const keptOrder = new Map<string, number>();
    const keptFiles: Array<{ folder: string; file: string }> = [];
    let rowsKept = 0;
    // duplicates in the merged order: all of them, and those only visible across shards
    let dupsAll = 0;
    let dups = 0;
    let lastOrder = -1;
    for (const r of all) {
      if (rowsKept >= target) break;
      if (r.k.some((k) => (k.startsWith('x:') ? exact.has(k) : near?.isDuplicate(k)))) {
        dupsAll++;
        if (!r.d) dups++;
        continue;
      }
      for (const k of r.k) (k.startsWith('x:') ? exact.add(k) : near?.addSignature(k));
      kept.push(...r.lines);
      for (const file of r.files) keptFiles.push({ folder: r.folder, file });
      if (r.r !== undefined) keptOrder.set(r.r, rowsKept);
      rowsKept++;
      lastOrder = r.order[0]!;
    }
    mergedOrder.set(name, keptOrder);
    // A shard that stopped at its share must have decided every row index the merged result depends on.
    if (bySimWorlds && Number.isFinite(target) && rowsKept < target) {
      // world-block shards each made up to `count` rows of their own worlds: short only after cross-shard duplicates
      const short = list.find((p) => !p.manifest.merge.exhausted);
      if (short) throw synthError('SYN5041', { dataset: name, kept: rowsKept, count: target, shard: `${short.manifest.shard!.index}/${n}` });
    } else if (!bySimWorlds && Number.isFinite(target)) {
      const needed = rowsKept >= target ? lastOrder : Infinity;
      for (const p of list) {
        const m = p.manifest.merge;
        if (!m.exhausted && m.processed_through < needed) {
          throw synthError('SYN5109', { dataset: name, shard: `${p.manifest.shard!.index}/${n}`, row: m.processed_through, needed: needed === Infinity ? 'the end' : needed });
        }
      }
    }
    const outName = first.dataset.output.replace(/\.shard-\d+-of-\d+(\.[a-z]+)$/, '$1');
    const outFile = path.join(outDir, outName);
    const fmt = first.dataset.format;
    // Image files (content-addressed: the same name is the same bytes in every shard) go before the index.
    for (const { folder, file } of keptFiles) {
      const dest = path.join(path.dirname(outFile), file);
      if (existsSync(dest)) continue;
      mkdirSync(path.dirname(dest), { recursive: true });
      copyFileSync(path.join(folder, file), dest);
    }
    if (fmt === 'parquet') {
      // the rows as JSONL, converted to Parquet, then removed: nothing but the output is left beside it
      const staged = outFile + '.staging.jsonl';
      try {
        writeFileSync(staged, kept.join('\n') + (kept.length ? '\n' : ''));
        const { writeParquetFromJsonl } = await import('./dataset/parquet.js');
        // the shards' columns and types stay so (one plan: every shard has the same columns)
        await writeParquetFromJsonl(staged, outFile + '.tmp', await parquetColumnTypes(path.join(list[0]!.dir, first.dataset.output)));
        renameSync(outFile + '.tmp', outFile);
      } finally {
        rmSync(staged, { force: true });
        rmSync(outFile + '.tmp', { force: true });
      }
    } else {
      const header = fmt === 'csv' ? list.find((p) => p.header !== undefined)?.header : undefined;
      const body = (header !== undefined ? [header, ...kept] : kept).join('\n');
      writeFileSync(outFile, body + (body ? '\n' : ''));
    }
    const rows = await readRows(outFile, fmt);
    const expects = evaluateExpects({ expects: first.merge.expects } as DatasetStage, rows);
    const sum = (f: (m: ShardManifest) => number) => list.reduce((a, p) => a + f(p.manifest), 0);
    // what `synth verify` checks, and whether the merged dataset has every row it asks for
    const onDisk = await describeFile(outFile, fmt);
    const rowsMissing = Number.isFinite(target) ? Math.max(0, target - rowsKept) : 0;
    const manifest = {
      ...first,
      file: { name: outName, rows: onDisk.rows, bytes: statSync(outFile).size, sha256: onDisk.sha256 },
      // the merged file, not shard 0's (`...first` carried its entry: `synth verify` and `report` then looked for it)
      files: [{ name: outName, role: 'rows', format: fmt, rows: onDisk.rows, bytes: statSync(outFile).size, sha256: onDisk.sha256 }],
      target: Number.isFinite(target) ? target : null,
      rows_missing: rowsMissing,
      causes: rowsMissing ? [{ cause: 'stopped', count: rowsMissing, example: 'too few rows passed the checks and deduplication within the row indices the shards drew' }] : [],
      stopped: null,
      error: null,
      reuse: null,
      dataset: { ...first.dataset, output: outName },
      shard: null,
      merged_from: list.map((p) => ({ shard: `${p.manifest.shard!.index}/${n}`, dir: path.relative(outDir, p.dir) || '.' })),
      // call counters: every shard's (the rows' calls in counts, all spend in spent; a shard manifest from before
      // `spent` counted all spend in counts)
      counts: { ...first.counts, ...Object.fromEntries(CALL_COUNTS.map((k) => [k, sum((m) => m.counts[k] ?? 0)])), written: rowsKept, rows: rowsKept, duplicates: dupsAll, failed: sum((m) => m.counts['failed'] ?? 0), filtered: sum((m) => m.counts['filtered'] ?? 0), ...imageCounts(first, kept.length, sum) },
      spent: Object.fromEntries(CALL_COUNTS.map((k) => [k, sum((m) => ((m['spent'] as Record<string, number> | undefined) ?? m.counts)[k] ?? 0)])),
      tokens: { prompt: sum((m) => m.tokens.prompt), completion: sum((m) => m.tokens.completion) },
      cost_usd: sum((m) => m.cost_usd),
      expects,
      status: rowsMissing ? 'incomplete' : expects.some((e) => !e.passed) ? 'failed-expectations' : 'complete',
    };
    writeFileSync(outFile.replace(/\.(jsonl|csv|parquet)$/, '') + '.manifest.json', canonicalJson(manifest));
    results.push({ dataset: name, output: outFile, rows: rowsKept, duplicatesAcrossShards: dups });
  }
  return results;
}

/** The merged datasets in an order where each comes after the dataset it reads (otherwise as found). */
function readOrder(pieces: Map<string, Piece[]>): string[] {
  const out: string[] = [];
  const placed = new Set<string>();
  const place = (name: string, path: Set<string>) => {
    if (placed.has(name) || path.has(name) || !pieces.has(name)) return;
    path.add(name);
    const rows = pieces.get(name)![0]!.manifest.merge.rows;
    if ('for' in rows && rows.for.kind === 'dataset') place(rows.for.from, path);
    path.delete(name);
    placed.add(name);
    out.push(name);
  };
  for (const name of pieces.keys()) place(name, new Set());
  return out;
}

/** Image datasets: images drawn (all shards) and images in the merged index (one per line). */
function imageCounts(first: ShardManifest, lines: number, sum: (f: (m: ShardManifest) => number) => number): Record<string, number> {
  if (first.counts['images_written'] === undefined) return {};
  return { images: sum((m) => m.counts['images'] ?? 0), images_written: lines };
}

/** Splits output text into records: JSONL lines, or CSV records (a quoted cell may contain newlines). */
function splitRecords(text: string, format: 'jsonl' | 'csv'): string[] {
  if (format === 'jsonl') return text.split('\n').filter(Boolean);
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const ch of text) {
    if (ch === '"') q = !q;
    if (ch === '\n' && !q) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}
