// `run(plan, options)`: the runtime's entry point. Runs the selected datasets — with the datasets they read, each
// after what it reads (declaration order otherwise) — each simulation, source and table at most once (shared by
// every dataset that reads it), then writes a manifest per dataset and the synth.lock beside the spec. With a
// budget it first compares the estimate (compiler/plan/estimate.ts, the same figures `--dry-run` prints) and
// refuses to start over it. Every table is read and checked before anything runs.
import { selectDatasets } from './select.js';
import { realpathSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '../../compiler/plan/schema.js';
import { SynthError, synthError } from '../../base/diagnostics.js';
import { estimatePlan, formatUsd } from '../../compiler/plan/estimate.js';
import { sharedFile, type OutputShape } from '../../compiler/check/outputs.js';
import { runDataset, type DatasetRunResult } from '../dataset/execute.js';
import { displayPath } from '../dataset/file-io.js';
import { lockOutput } from '../dataset/output-lock.js';
import { writeLock } from '../lock.js';
import { writeManifest } from '../manifest.js';
import { budgetGuard, modelNames, promptRunnerFactory } from '../wiring.js';
import { refuseUnsafeSplits, severalFiles, splitsOf } from '../dataset/outputs.js';
import { ItemLoader } from './items.js';
import { SimInterrupted } from '../sim/cpu.js';
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
  /** datasets not made because a dataset they read has rows missing (SYN5057) */
  blocked: Array<{ dataset: string; upstream: string }>;
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
  const seen: Array<{ name: string; out: OutputShape }> = [];
  for (const n of names) {
    const ds = plan.datasets[n]!;
    // the files it expands to ({split}, chat files, an hf folder), as the checker's SYN3070 compares them
    const out: OutputShape = { path: outputOf(ds.output.path), hf: ds.output.format === 'hf', chat: ds.chat !== null, splits: splitsOf(ds), name: n };
    for (const s of seen) {
      const shared = sharedFile(s.out, out);
      if (shared !== undefined) throw synthError('SYN5081', { first: s.name, name: n, file: displayPath(shared) });
    }
    seen.push({ name: n, out });
  }
}

/** The datasets some dataset of the plan reads. */
function readDatasets(plan: Plan): Set<string> {
  return new Set(Object.values(plan.datasets).flatMap((d) => d.datasets ?? []));
}

/**
 * Runs `plan` (see RunOptions for every knob). Resolves with what each dataset wrote, also when the run stopped
 * early (`stopped`: rerunning the same command continues). Throws SynthError for what stops a run before or
 * outside a row: SYN5003 (the estimate is over `budgetUsd`; nothing was sent), SYN5006 (an unknown dataset or
 * stage), SYN5001 (a model without its API key), SYN5007 (a source without documents), SYN4002 (a path outside
 * the project), SYN5031 (`shard` for a dataset that writes several files), SYN5030 (a split that cannot name a
 * file), SYN6xxx (simulation failures).
 */
export async function run(plan: Plan, o: RunOptions): Promise<RunSummary> {
  const names = selectDatasets(plan, o.datasets);
  // a shard holds its own rows of each dataset: a draw from all of them cannot be made here — said before any
  // dataset is made, not when the run reaches the one that draws
  if (o.shard) {
    for (const n of names) {
      const draw = plan.datasets[n]!.vary.find((v) => v.sampler.kind === 'row' && v.sampler.of === 'dataset');
      if (draw && draw.sampler.kind === 'row') throw synthError('SYN5058', { name: draw.name, dataset: n, upstream: draw.sampler.from });
    }
  }
  const items = new ItemLoader(plan, o);
  items.checkMemory(names);
  await items.checkTables(names);
  const readBy = readDatasets(plan);
  const blocked: RunSummary['blocked'] = [];
  // `synth merge` combines one file per dataset: refused before anything runs (an estimate's simulations included)
  for (const n of o.shard ? names : []) {
    const several = severalFiles(plan.datasets[n]!);
    if (several) throw synthError('SYN5031', { dataset: n, files: several });
  }
  const budget = budgetGuard(o.budgetUsd);
  if (o.budgetUsd !== undefined) {
    // Refuse to start when the estimate alone is over the budget: the figures `--dry-run` prints.
    let itemCounts: Record<string, number>;
    let estimateItems: Awaited<ReturnType<ItemLoader['forEstimate']>>;
    try {
      itemCounts = await items.counts(names);
      estimateItems = await items.forEstimate(names);
    } catch (e) {
      // Ctrl-C while a sim ran for the estimate: nothing was made
      if (e instanceof SimInterrupted) return { results: [], manifests: [], failedExpectations: false, stopped: 'interrupted', error: undefined, incomplete: [], blocked: [] };
      throw e;
    }
    const estimate = estimatePlan(plan, { datasets: names, ...(o.limit !== undefined ? { limit: o.limit } : {}), itemCounts, items: estimateItems });
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
      // a dataset that reads one with rows missing would be made from part of its input: not made (SYN5057)
      const short = (ds.datasets ?? []).find((u) => results.find((r) => r.name === u)?.status !== 'complete');
      if (short) {
        blocked.push({ dataset: n, upstream: short });
        continue;
      }
      let loaded: Awaited<ReturnType<ItemLoader['forDataset']>>;
      let pools: Awaited<ReturnType<ItemLoader['pools']>>;
      try {
        loaded = await items.forDataset(ds);
        pools = await items.pools(ds);
      } catch (e) {
        // Ctrl-C while a sim ran: it stopped with no result, so nothing of this dataset is made (exit 130)
        if (!(e instanceof SimInterrupted)) throw e;
        stopped = 'interrupted';
        break;
      }
      const prompts = ds.prompts.length ? wiring.factory(n) : undefined;
      if (ds.prompts.length && !prompts) throw synthError('SYN5015', { dataset: n });
      // With shards over simulation worlds the sim already holds only this shard's worlds, and a dataset read by
      // this one holds only this shard's rows: no row filter then.
      const shardRows = o.shard && !('for' in ds.rows && ds.rows.for.kind !== 'source' && ds.rows.for.kind !== 'table') ? o.shard : undefined;
      // one run at a time per output: held from before its temp file and journal open until its manifest is written
      refuseUnsafeSplits(ds); // before the lock: a refused dataset writes nothing
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
          modelNames: modelNames(plan, o.env),
          ...(pools.size ? { pools } : {}),
          collect: readBy.has(n),
        });
        results.push(r);
        if (r.written) items.provide(n, r.written);
        // only a simulation has a backend to record (tables and datasets read are not simulations)
        const f = 'for' in ds.rows ? ds.rows.for : undefined;
        const sims = f && (f.kind === 'event' || f.kind === 'trajectory') ? { [f.from]: await items.simRecord(f.from) } : {};
        manifests.push(
          writeManifest(plan, r, { backend: o.backend ?? 'auto', sims, ...(o.shard ? { shard: o.shard } : {}), modelsReported: wiring.modelsReported(), fallbacks: wiring.fallbacks?.() ?? [] }),
        );
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
    blocked,
  };
}
