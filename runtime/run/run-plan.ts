// `run(plan, options)`: the runtime's entry point. Runs the selected datasets in declaration order, each
// simulation and source at most once (shared by every dataset that reads it), then writes a manifest per dataset
// and the synth.lock beside the spec. With a budget it first compares the estimate (compiler/plan/estimate.ts,
// the same figures `--dry-run` prints) and refuses to start over it.
import { realpathSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../../compiler/plan/schema.js';
import { SynthError, synthError } from '../../base/diagnostics.js';
import { estimatePlan, formatUsd } from '../../compiler/plan/estimate.js';
import { sharedFile } from '../../compiler/check/outputs.js';
import { runDataset, type DatasetRunResult } from '../dataset/execute.js';
import { displayPath } from '../dataset/file-io.js';
import { lockOutput } from '../dataset/output-lock.js';
import { writeLock } from '../lock.js';
import { writeManifest } from '../manifest.js';
import { budgetGuard, promptRunnerFactory } from '../wiring.js';
import { ItemLoader } from './items.js';
import type { RunOptions } from './options.js';

export interface RunSummary {
  /** one per dataset run, in order (a stopped run ends with the dataset it stopped in) */
  results: DatasetRunResult[];
  /** the manifest files written, one per result */
  manifests: string[];
  /** some `expect` of a dataset failed */
  failedExpectations: boolean;
  /** why the run stopped before every dataset had its rows (Ctrl-C, budget, a provider batch still running) */
  stopped: string | undefined;
  /** the error that stopped the run (SYN5020 unusable endpoint, SYN5021 circuit breaker), if one did */
  error: SynthError | undefined;
  /** datasets that ended with rows missing */
  incomplete: string[];
  /** with --budget: the limit and what the run spent (USD); a run that ends above it exits non-zero */
  budget?: { limitUsd: number; spentUsd: number };
}

/** Resolves a spec-relative path, refusing one that leaves the project folder (`..`, absolute, symlinks): SYN4002. */
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

/** With `--out`, outputs in different folders may land on one file (`a/d.jsonl`, `b/d.jsonl`): SYN5081 before
 *  anything runs. (Without it, the checker's SYN3070 already refuses datasets that share a file.) */
function refuseSharedOutputs(plan: Plan, names: string[], outputOf: (p: string) => string): void {
  const seen: Array<{ name: string; file: string }> = [];
  for (const n of names) {
    const file = outputOf(plan.datasets[n]!.output.path);
    for (const s of seen) {
      const shared = sharedFile(s.file, file);
      if (shared !== undefined) throw synthError('SYN5081', { first: s.name, name: n, file: displayPath(shared) });
    }
    seen.push({ name: n, file });
  }
}

/** The datasets a run covers: `names` in declaration order of the plan, or all. Throws SYN5006 for a name the plan lacks. */
export function selectDatasets(plan: Plan, names: string[] | undefined): string[] {
  for (const n of names ?? []) {
    if (!plan.datasets[n]) throw new SynthError('SYN5006', `no dataset '${n}' in this spec (it has: ${Object.keys(plan.datasets).join(', ') || 'none'})`);
  }
  return Object.keys(plan.datasets).filter((n) => !names?.length || names.includes(n));
}

/**
 * Runs `plan` (see RunOptions for every knob). Resolves with what each dataset wrote, also when the run stopped
 * early (`stopped`: rerunning the same command continues). Throws SynthError for what stops a run before or
 * outside a row: SYN5003 (the estimate is over `budgetUsd`; nothing was sent), SYN5006 (an unknown dataset or
 * stage), SYN5001 (a model without its API key), SYN5007 (a source without documents), SYN4002 (a path outside
 * the project), SYN6xxx (simulation failures).
 */
export async function run(plan: Plan, o: RunOptions): Promise<RunSummary> {
  const names = selectDatasets(plan, o.datasets);
  const items = new ItemLoader(plan, o);
  const budget = budgetGuard(o.budgetUsd);
  if (o.budgetUsd !== undefined) {
    // Refuse to start when the estimate alone is over the budget: the figures `--dry-run` prints.
    const estimate = estimatePlan(plan, { datasets: names, ...(o.limit !== undefined ? { limit: o.limit } : {}), itemCounts: await items.counts(names) });
    o.onEstimate?.(estimate);
    if (estimate.total.usd > o.budgetUsd) throw synthError('SYN5003', { estimate: formatUsd(estimate.total.usd), budget: formatUsd(o.budgetUsd) });
  }
  const outputOf = (p: string) => {
    const out = o.outDir ? path.join(path.resolve(o.outDir), path.basename(p)) : projectPath(o.projectRoot, p, o.allowOutsideProject ?? false);
    return o.shard ? out.replace(/(\.[a-z]+)$/, `.shard-${o.shard.index}-of-${o.shard.count}$1`) : out;
  };
  if (o.outDir) refuseSharedOutputs(plan, names, outputOf);
  const wiring = o.prompts ?? promptRunnerFactory(plan, o.projectRoot, budget, o);
  const results: DatasetRunResult[] = [];
  const manifests: string[] = [];
  let stopped: string | undefined;
  let error: SynthError | undefined;
  try {
    for (const n of names) {
      const ds = plan.datasets[n]!;
      const loaded = await items.forDataset(ds);
      const prompts = ds.prompts.length ? wiring.factory(n) : undefined;
      if (ds.prompts.length && !prompts) throw new SynthError('SYN5001', `dataset ${n} calls prompts but no LLM endpoint is configured`);
      // With shards over simulation worlds the sim already holds only this shard's worlds: no row filter then.
      const shardRows = o.shard && !('for' in ds.rows && ds.rows.for.kind !== 'source') ? o.shard : undefined;
      // one run at a time per output: held from before its temp file and journal open until its manifest is written
      const lock = lockOutput(outputOf(ds.output.path));
      let r: DatasetRunResult;
      try {
        r = await runDataset({
          plan,
          dataset: ds,
          projectRoot: o.projectRoot,
          resolveOutput: outputOf,
          ...(o.limit !== undefined ? { limit: o.limit } : {}),
          ...(loaded ? { items: loaded.items, itemKeys: loaded.keys } : {}),
          ...(prompts ? { prompts } : {}),
          ...(o.concurrency ? { concurrency: o.concurrency } : {}),
          fresh: o.fresh ?? false,
          ...(shardRows ? { shard: shardRows } : {}),
          shardKeys: o.shard !== undefined,
          onProgress: (p) => o.onProgress?.(n, p),
          ...(o.onNotice ? { onNotice: o.onNotice } : {}),
          shouldStop: () => o.shouldStop?.() ?? budget.exceeded(),
          ...(o.faults ? { faults: o.faults } : {}),
          ...(o.env ? { env: o.env } : {}),
        });
        results.push(r);
        const sims = 'for' in ds.rows && ds.rows.for.kind !== 'source' ? { [ds.rows.for.from]: await items.simRecord(ds.rows.for.from) } : {};
        manifests.push(writeManifest(plan, r, { backend: o.backend ?? 'auto', sims, ...(o.shard ? { shard: o.shard } : {}), modelsReported: wiring.modelsReported() }));
      } finally {
        lock.release();
      }
      // A dataset with failed rows does not stop the run (the next dataset may be fine); a stop does.
      if (r.error) {
        error = r.error;
        break;
      }
      if (r.stoppedEarly) {
        stopped = r.stoppedEarly;
        break;
      }
    }
  } finally {
    if (!o.prompts) await wiring.close();
  }
  if (o.specPath) writeLock(o.specPath, plan, wiring.modelsReported());
  return {
    results,
    manifests,
    failedExpectations: results.some((r) => r.expects.some((e) => !e.passed)),
    stopped,
    error,
    incomplete: results.filter((r) => r.status === 'incomplete').map((r) => r.name),
    ...(o.budgetUsd !== undefined ? { budget: { limitUsd: o.budgetUsd, spentUsd: budget.spentMicroUsd / 1e6 } } : {}),
  };
}
