// The manifest written next to each dataset's output: what was run (spec, plan and dataset hashes, tool
// version, seed, models as the endpoint reported them), what came out (counts, splits, expectations), and what
// it cost (tokens, estimated USD, wall time). It holds no secrets: model settings appear with env() symbolic.
import { writeFileSync, renameSync } from 'node:fs';
import type { Plan } from '../compiler/plan/schema.js';
import { canonicalJson } from '../compiler/plan/canonical.js';
import { VERSION } from '../compiler/version.js';
import type { DatasetRunResult } from './dataset/execute.js';

/** The manifest beside an output: `out/d.jsonl` → `out/d.manifest.json` (also for .csv and .parquet). */
export function manifestPath(output: string): string {
  return output.replace(/\.(jsonl|csv|parquet)$/, '') + '.manifest.json';
}

/**
 * Writes the manifest of dataset run `r` beside its output, atomically (temp file + rename), as canonical JSON:
 * tool, spec, plan and dataset hashes, shard, what `synth merge` needs, models (asked for and reported), backend,
 * declared distributions, counts, tokens, `cost_usd` (the run's charges: `costOf` per answered call, summed in
 * micro-USD), splits, expectations, status and wall time. Returns the manifest's path.
 */
export function writeManifest(plan: Plan, r: DatasetRunResult, extra: { backend?: string; modelsReported?: Record<string, string[]>; shard?: { index: number; count: number } } = {}): string {
  const ds = plan.datasets[r.name]!;
  const manifest = {
    synth: 'manifest',
    tool: VERSION,
    spec: plan.spec.file,
    plan: plan.hash,
    dataset: { name: r.name, hash: ds.hash, seed: ds.seed, output: r.output.split('/').pop(), format: r.format, split: ds.split },
    shard: extra.shard ?? null,
    // what `synth merge` needs to recombine shards exactly as one run would have written them
    merge: { rows: ds.rows, unique: ds.unique.map((u) => u.similarity), expects: ds.expects, processed_through: r.processedThrough, exhausted: r.exhausted },
    models: ds.prompts.map((p) => plan.prompts[p]!.model).filter((m, i, a) => m && a.indexOf(m) === i).map((m) => ({
      name: m,
      model: plan.models[m]?.settings['name'] ?? null,
      reported: extra.modelsReported?.[m] ?? [],
    })),
    backend: extra.backend ?? null,
    // declared distributions, so reports can compare them with what the rows realised
    vary: ds.vary.map((v) => ({ name: v.name, mode: v.mode, sampler: v.sampler, kept: ds.keep.includes(v.name) })),
    // the row's declared type, so reports can order enum values as declared and read CSV cells by type
    row: { type: ds.rowType.name, schema: ds.rowType.schema },
    counts: { ...r.counts, rows: r.counts.written, ...pick(r.stats, ['calls', 'cached', 'retried', 'retried_calls', 'attempts']), ...(ds.images ? pick(r.stats, ['images', 'images_written']) : {}) },
    tokens: { prompt: r.stats['prompt_tokens'] ?? 0, completion: r.stats['completion_tokens'] ?? 0 },
    cost_usd: Math.round((r.stats['cost_micro_usd'] ?? 0)) / 1e6,
    splits: r.splits,
    expects: r.expects,
    status: r.stoppedEarly ? `stopped: ${r.stoppedEarly}` : r.expects.some((e) => !e.passed) ? 'failed-expectations' : 'complete',
    wall_ms: r.wallMs,
  };
  const p = manifestPath(r.output);
  writeFileSync(p + '.tmp', canonicalJson(manifest));
  renameSync(p + '.tmp', p);
  return p;
}

function pick(o: Record<string, number>, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = o[k] ?? 0;
  return out;
}
