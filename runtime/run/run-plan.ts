// Runs a plan: the selected datasets in declaration order, each simulation at most once (its results shared
// by every dataset that reads it), then a manifest per dataset and the synth.lock beside the spec.
import { realpathSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../../compiler/plan/schema.js';
import { SynthError, synthError } from '../../base/diagnostics.js';
import type { Value } from '../../compiler/plan/eval.js';
import { runDataset, type DatasetRunResult, type Progress, type PromptRunner } from '../dataset/execute.js';
import { writeManifest, type SimRunRecord } from '../manifest.js';
import { runSim, simKeys, simRowCount, simRows, type SimResult } from '../sim/run.js';

export interface RunOptions {
  plan: Plan;
  /** the spec's folder */
  projectRoot: string;
  datasets?: string[];
  limit?: number;
  outDir?: string;
  backend?: 'cpu' | 'webgpu' | 'auto';
  /** bytes a simulation may need (estimated before it allocates); default the machine's memory */
  maxMemory?: number;
  fresh?: boolean;
  shard?: { index: number; count: number };
  allowOutsideProject?: boolean;
  /** builds the prompt runner for a dataset; undefined when no LLM is configured */
  prompts?: (datasetName: string) => PromptRunner | undefined;
  /** rows from `for x in SOURCE`, with a stable key per item (`path#chunk`) */
  sourceItems?: (source: string) => Promise<{ items: Value[]; keys: string[] }>;
  concurrency?: number;
  onProgress?: (dataset: string, p: Progress) => void;
  onNotice?: (line: string) => void;
  shouldStop?: () => string | undefined;
  /** model names as the endpoints reported them so far, by model block */
  modelsReported?: () => Record<string, string[]>;
}

export interface RunSummary {
  results: DatasetRunResult[];
  manifests: string[];
  failedExpectations: boolean;
  stopped: string | undefined;
}

/** Resolves a spec-relative path, refusing one that leaves the project folder (`..`, absolute, symlinks). */
export function projectPath(root: string, p: string, allowOutside: boolean): string {
  const abs = path.resolve(root, p);
  if (allowOutside) return abs;
  const realRoot = realpathSync(root);
  // Resolve symlinks on the longest existing prefix of the path.
  let probe = abs;
  while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
  const real = path.join(realpathSync(probe), path.relative(probe, abs));
  const rel = path.relative(realRoot, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw synthError('SYN4002', { path: p, root: root });
  return abs;
}

export async function runPlan(o: RunOptions): Promise<RunSummary> {
  const plan = o.plan;
  const names = o.datasets?.length ? o.datasets : Object.keys(plan.datasets);
  for (const n of names) {
    if (!plan.datasets[n]) throw new SynthError('SYN5006', `no dataset '${n}' in this spec (it has: ${Object.keys(plan.datasets).join(', ') || 'none'})`);
  }
  const simCache = new Map<string, Promise<SimResult>>();
  const simOf = (name: string) => {
    let p = simCache.get(name);
    if (!p) {
      const stage = plan.sims[name];
      if (!stage) throw new SynthError('SYN5006', `the plan has no simulation '${name}'`);
      p = runSim(stage.stage, {
        backend: o.backend ?? 'auto',
        onNotice: o.onNotice,
        rows: simTablesRead(plan, name, names),
        ...(o.maxMemory !== undefined ? { maxMemory: o.maxMemory } : {}),
        ...(o.shard ? { worldRange: shardWorlds(stage.stage, o.shard) } : {}),
      });
      simCache.set(name, p);
    }
    return p;
  };
  const results: DatasetRunResult[] = [];
  const manifests: string[] = [];
  let stopped: string | undefined;
  for (const n of names) {
    const ds = plan.datasets[n]!;
    let items: Value[] | undefined;
    let itemKeys: string[] | undefined;
    const sims: Record<string, SimRunRecord> = {};
    if ('for' in ds.rows) {
      const f = ds.rows.for;
      if (f.kind === 'source') {
        if (!o.sourceItems) throw new SynthError('SYN5007', `dataset ${n} reads source '${f.from}', but no document loader is available`);
        ({ items, keys: itemKeys } = await o.sourceItems(f.from));
      } else {
        const res = await simOf(f.from);
        sims[f.from] = simRunRecord(plan.sims[f.from]!.stage, res);
        items = simRows(res, f.kind, f.event) as unknown as Value[];
        itemKeys = simKeys(res, f.kind, f.event);
      }
    }
    const prompts = ds.prompts.length ? o.prompts?.(n) : undefined;
    if (ds.prompts.length && !prompts) throw new SynthError('SYN5001', `dataset ${n} calls prompts but no LLM endpoint is configured`);
    // With shards over simulation worlds the sim already holds only this shard's worlds: no row filter then.
    const shardRows = o.shard && !('for' in ds.rows && ds.rows.for.kind !== 'source') ? o.shard : undefined;
    const r = await runDataset({
      plan,
      dataset: ds,
      projectRoot: o.projectRoot,
      resolveOutput: (p) => {
        const out = o.outDir ? path.join(path.resolve(o.outDir), path.basename(p)) : projectPath(o.projectRoot, p, o.allowOutsideProject ?? false);
        return o.shard ? out.replace(/(\.[a-z]+)$/, `.shard-${o.shard.index}-of-${o.shard.count}$1`) : out;
      },
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(items ? { items } : {}),
      ...(itemKeys ? { itemKeys } : {}),
      ...(prompts ? { prompts } : {}),
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
      fresh: o.fresh ?? false,
      ...(shardRows ? { shard: shardRows } : {}),
      shardKeys: o.shard !== undefined,
      onProgress: (p) => o.onProgress?.(n, p),
      ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
    });
    results.push(r);
    manifests.push(writeManifest(plan, r, { backend: o.backend ?? 'auto', sims, ...(o.shard ? { shard: o.shard } : {}), ...(o.modelsReported ? { modelsReported: o.modelsReported() } : {}) }));
    if (r.stoppedEarly) {
      stopped = r.stoppedEarly;
      break;
    }
  }
  return { results, manifests, failedExpectations: results.some((r) => r.expects.some((e) => !e.passed)), stopped };
}

/** Where a sim ran and whether its results are the same on every backend (for the manifest and `synth merge`). */
function simRunRecord(stage: unknown, res: SimResult): SimRunRecord {
  const inexact = (stage as { inexact?: string[] }).inexact ?? [];
  const backend = res.stats['backend'] === 'webgpu' ? `webgpu (${res.stats['adapter'] || 'unknown adapter'})` : String(res.stats['backend'] ?? 'cpu');
  return { backend, exact: inexact.length === 0, inexact };
}

/** The tables of a sim (`trajectory`, event names) that the selected datasets read as rows. */
function simTablesRead(plan: Plan, sim: string, datasets: string[]): string[] {
  const out = new Set<string>();
  for (const n of datasets) {
    const rows = plan.datasets[n]?.rows;
    if (rows && 'for' in rows && rows.for.kind !== 'source' && rows.for.from === sim) out.add(rows.for.kind === 'trajectory' ? 'trajectory' : rows.for.event!);
  }
  return [...out];
}

/** The worlds of shard i/n: contiguous blocks, so each shard simulates only its own worlds. */
export function shardWorlds(stage: unknown, shard: { index: number; count: number }): [number, number] {
  const worlds = Number((stage as { worlds?: number }).worlds ?? 0);
  const per = Math.ceil(worlds / shard.count);
  return [Math.min(worlds, shard.index * per), Math.min(worlds, (shard.index + 1) * per)];
}

/** Items behind each `for` dataset (simulation events or rows, document chunks), for dry-run estimates. */
export async function countItems(
  plan: Plan,
  o: { projectRoot: string; backend: 'cpu' | 'webgpu' | 'auto'; maxMemory?: number; datasets?: string[]; sourceItems?: RunOptions['sourceItems'] },
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const sims = new Map<string, Promise<SimResult>>();
  for (const ds of Object.values(plan.datasets)) {
    if (o.datasets?.length && !o.datasets.includes(ds.name)) continue;
    if (!('for' in ds.rows)) continue;
    const f = ds.rows.for;
    if (f.kind === 'source') {
      if (o.sourceItems) out[ds.name] = (await o.sourceItems(f.from)).items.length;
      continue;
    }
    let p = sims.get(f.from);
    if (!p) {
      p = runSim(plan.sims[f.from]!.stage, { backend: o.backend, ...(o.maxMemory !== undefined ? { maxMemory: o.maxMemory } : {}) });
      sims.set(f.from, p);
    }
    out[ds.name] = simRowCount(await p, f.kind, f.event);
  }
  return out;
}
