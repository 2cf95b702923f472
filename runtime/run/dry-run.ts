// `dryRun(plan, options)`: what a run would make and cost before anything is spent. The figures are the one
// estimate (compiler/plan/estimate.ts); this entry adds what only the runtime can know — how many items feed
// each `for` dataset, counted locally by running its simulation or reading its documents. Nothing is sent.
import type { PlanEstimate } from '../../compiler/plan/estimate.js';
import { estimatePlan } from '../../compiler/plan/estimate.js';
import type { Plan } from '../../compiler/plan/schema.js';
import { ItemLoader } from './items.js';
import type { DryRunOptions } from './options.js';
import { selectDatasets } from './select.js';
import { memoryEstimate } from '../sim/memory.js';

/**
 * The estimate of `run(plan, options)` with the same options: rows, calls, tokens, images and USD per dataset
 * and in total (compiler/plan/estimate.ts for the shapes and the token model). Runs the simulations and reads
 * the documents behind `for` datasets to count their items (on `options.backend`); sends nothing, writes nothing.
 * With simulations, `memory` is what the run would hold at once (runtime/sim/memory.ts); a run that would not fit
 * is refused first, as `run` refuses it. Throws SynthError: SYN5006 (unknown dataset), SYN5007 (a source without
 * documents), SYN4002, SYN6005/SYN6010 (memory), other SYN6xxx.
 */
export async function dryRun(plan: Plan, o: DryRunOptions): Promise<PlanEstimate> {
  const names = selectDatasets(plan, o.datasets);
  const loader = new ItemLoader(plan, o);
  // the run's memory guard, before the simulations behind `for` datasets are run to count their items: a size
  // that cannot run is refused here as it would be by `synth run` (SYN6005/SYN6010), and the estimate is shown
  const sims = loader.checkMemory(names);
  const itemCounts = await loader.counts(names);
  const estimate = estimatePlan(plan, { datasets: names, ...(o.limit !== undefined ? { limit: o.limit } : {}), itemCounts, items: await loader.forEstimate(names) });
  return sims.length > 0 ? { ...estimate, memory: memoryEstimate(sims, o.maxMemory) } : estimate;
}
