// The manifest written next to each dataset's output: what was run (spec, plan and dataset hashes, tool
// version, seed, models as the endpoint reported them), what came out (status, counts, rows missing and why,
// splits, expectations, the output file's sha256 and row count), what was reused from earlier runs, and what
// it cost (tokens and estimated USD, failed calls included; wall time). It holds no secrets: model settings
// appear with env() symbolic, and causes are scrubbed of the key before they get here.
import type { Plan } from '../compiler/plan/schema.js';
import { canonicalJson } from '../compiler/plan/canonical.js';
import { VERSION } from '../compiler/version.js';
import type { DatasetRunResult } from './dataset/execute.js';
import * as path from 'node:path';
import { writeFileAtomic } from './dataset/file-io.js';
import { manifestPath } from './dataset/paths.js';
import type { FallbackGroup } from './run/options.js';
import { failureOf } from './cause.js';

export { manifestPath };

/** `complete`: every row the dataset asks for is written and every `expect` holds; `failed-expectations`: the
 *  rows are all there but an `expect` does not hold; `incomplete`: rows are missing (see `rows_missing` and
 *  `causes`); `limited`: `--limit` asked for fewer rows than the dataset has, and those are all there (`limit`
 *  records it; `target` is the limit). */
export type ManifestStatus = 'complete' | 'failed-expectations' | 'incomplete' | 'limited';

export function manifestStatus(r: DatasetRunResult): ManifestStatus {
  if (r.status === 'incomplete') return 'incomplete';
  if (r.limit !== undefined) return 'limited';
  return r.expects.some((e) => !e.passed) ? 'failed-expectations' : 'complete';
}

/** How a simulation a dataset reads was run: `synth merge` refuses shards of a non-exact sim run on different backends. */
export interface SimRunRecord {
  /** `cpu`, or `webgpu (ADAPTER)` */
  backend: string;
  /** bit-identical on every backend (the stage's `inexact` is empty) */
  exact: boolean;
  /** why not, when not */
  inexact: string[];
  /** the backend the run asked for (`--backend`: auto, cpu or webgpu) */
  requested: string;
  /** with `auto`: why WebGPU was not used (the driver's failure) when the sim fell back to the CPU backend */
  fallback?: string;
}

/**
 * Writes the manifest of dataset run `r` beside its output, atomically (temp file + rename), as canonical JSON:
 * tool, spec, plan and dataset hashes, shard, what `synth merge` needs, models (asked for and reported), backend,
 * the sims it reads (`sims`: backend each ran on, exactness), declared distributions, counts, tokens, `cost_usd` (the run's charges: `costOf` per answered call, summed in
 * micro-USD), splits, expectations, status and wall time. Returns the manifest's path.
 */
export function writeManifest(
  plan: Plan,
  r: DatasetRunResult,
  extra: { backend?: string; modelsReported?: Record<string, string[]>; shard?: { index: number; count: number }; sims?: Record<string, SimRunRecord>; fallbacks?: FallbackGroup[] } = {},
): string {
  const ds = plan.datasets[r.name]!;
  const here = path.dirname(r.manifest);
  const rel = (f: string) => path.relative(here, f).split(path.sep).join('/');
  const stopKey = failureOf(r.error)?.key;
  const manifest = {
    synth: 'manifest',
    tool: VERSION,
    spec: plan.spec.file,
    plan: plan.hash,
    dataset: { name: r.name, hash: ds.hash, seed: ds.seed, output: rel(r.file.file), format: r.format, split: ds.split },
    shard: extra.shard ?? null,
    // what `synth merge` needs to recombine shards exactly as one run would have written them
    merge: { rows: ds.rows, unique: ds.unique.map((u) => u.similarity), expects: ds.expects, processed_through: r.processedThrough, exhausted: r.exhausted },
    // every model block the dataset's calls can reach, with the calls each answered (fallbacks included)
    models: (ds.models ?? []).map((m) => ({
      name: m,
      model: plan.models[m]?.settings['name'] ?? null,
      reported: extra.modelsReported?.[m] ?? [],
      calls: r.stats[`calls@${m}`] ?? 0,
      cached: r.stats[`cached@${m}`] ?? 0,
      failed_calls: r.stats[`failed_calls@${m}`] ?? 0,
      // calls stopped before their first request (the endpoint found unusable, the breaker): never sent to it
      not_sent_calls: r.stats[`not_sent_calls@${m}`] ?? 0,
      fell_back: r.stats[`fallbacks@${m}`] ?? 0,
    })),
    // calls this run sent on to a `fallback` model, and why the first model failed them
    fallbacks: (extra.fallbacks ?? []).filter((f) => f.dataset === r.name).map((f) => ({ from: f.from, to: f.to, calls: f.count, cause: f.causeKind, example: f.cause })),
    backend: extra.backend ?? null,
    // the backend each simulation this dataset reads actually ran on (after any fallback)
    sims: extra.sims ?? {},
    // declared distributions, so reports can compare them with what the rows realised
    vary: ds.vary.map((v) => ({ name: v.name, mode: v.mode, sampler: v.sampler, kept: ds.keep.includes(v.name) })),
    // the row's declared type, so reports can order enum values as declared and read CSV cells by type
    row: { type: ds.rowType.name, schema: ds.rowType.schema },
    counts: {
      rows: r.counts.written,
      written: r.counts.written,
      failed: r.counts.failed,
      not_made: r.counts.notMade,
      filtered: r.counts.filtered,
      duplicates: r.counts.duplicates,
      // the calls behind the results this output is built from (each row index's latest result, reused or new)
      ...pick(r.keptStats, CALL_COUNTS),
      ...(ds.images ? pick(r.stats, ['images', 'images_written']) : {}),
    },
    // every call this output's journal has paid for: results superseded since (a changed definition, a failure
    // made again) and earlier runs included; `tokens` and `cost_usd` below count the same calls
    spent: pick(r.stats, CALL_COUNTS),
    // every row asked for is in the output, or how many are not and why (grouped by cause, one example each)
    status: manifestStatus(r),
    target: r.target ?? null,
    limit: r.limit ?? null,
    // with a drawn `each` or a nested `for`, `target` and `rows_missing` count items (row indices), not rows
    ...(r.unit === 'items' ? { target_unit: 'items' } : {}),
    rows_missing: r.missing,
    // the group of rows that failed with the error that stopped the run names its code, as the summary does
    causes: r.causes.map((c) => ({ cause: c.kind, count: c.count, example: c.example, ...(c.row >= 0 ? { first_row: c.row } : {}), ...(stopKey !== undefined && c.key === stopKey ? { error: r.error!.code } : {}) })),
    stopped: r.stoppedEarly ?? null,
    error: r.error ? { code: r.error.code, message: r.error.message } : null,
    // rows taken from earlier runs (everything that made them unchanged) and rows made again, with why
    reuse: { reused: r.counts.reused, remade: r.counts.remade, made: r.counts.made, remade_because: r.remadeWhy },
    // what `synth verify` checks: the (first) row file, and every file the dataset wrote
    file: { name: rel(r.file.file), rows: r.file.rows, bytes: r.file.bytes, sha256: r.file.sha256 },
    files: r.files.map((f) => ({ name: rel(f.file), role: f.role, format: f.format, ...(f.split !== undefined ? { split: f.split } : {}), rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
    tokens: { prompt: r.stats['prompt_tokens'] ?? 0, completion: r.stats['completion_tokens'] ?? 0 },
    cost_usd: Math.round(r.stats['cost_micro_usd'] ?? 0) / 1e6,
    splits: r.splits,
    expects: r.expects,
    wall_ms: r.wallMs,
  };
  writeFileAtomic(r.manifest, canonicalJson(manifest));
  return r.manifest;
}

/** The call counters of a manifest's `counts` (for the output's results) and `spent` (everything paid for). */
export const CALL_COUNTS = ['calls', 'cached', 'failed_calls', 'not_sent_calls', 'retried', 'retried_calls', 'attempts'];

function pick(o: Record<string, number>, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = o[k] ?? 0;
  return out;
}
