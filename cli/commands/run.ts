// `synth run FILE`: check, plan, execute. Ctrl-C finishes the rows in flight, journals them and exits 130;
// rerunning continues where it stopped. Exit codes: 0 done, 1 spec errors or failed expectations, 2 runtime
// failure, 75 provider batches submitted and not yet done (`--no-wait`: run again later), 130 interrupted.
import * as path from 'node:path';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { writeLock } from '../../runtime/lock.js';
import { runPlan } from '../../runtime/run/run-plan.js';
import { RunProgress } from '../progress.js';
import { renderDiagnostic } from '../render.js';
import { parseBytes } from '../../compiler/sim/memory.js';

export interface RunCliOptions {
  dataset?: string[];
  limit?: string;
  out?: string;
  backend?: 'cpu' | 'webgpu' | 'auto';
  fresh?: boolean;
  shard?: string;
  allowOutsideProject?: boolean;
  dryRun?: boolean;
  budget?: string;
  concurrency?: string;
  /** commander's `--no-wait` sets wait: false */
  wait?: boolean;
  maxMemory?: string;
}

export function parseShard(s: string | undefined): { index: number; count: number } | undefined {
  if (!s) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new Error(`--shard takes i/n with 0 ≤ i < n, e.g. 0/4 (got '${s}')`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

export async function runRun(file: string, opts: RunCliOptions): Promise<number> {
  const maxMemory = opts.maxMemory === undefined ? undefined : parseBytes(opts.maxMemory);
  if (maxMemory === undefined && opts.maxMemory !== undefined) {
    process.stderr.write(`--max-memory takes a size such as 512MiB, 8GiB or unlimited (got '${opts.maxMemory}')\n`);
    return 2;
  }
  const res = checkFile(file);
  const textOf = (p: string) => res.program.files.get(p)?.text;
  for (const d of res.diagnostics) process.stderr.write(renderDiagnostic(d, textOf) + '\n');
  if (res.hasErrors) return 1;
  const { plan } = buildPlan(res);
  const projectRoot = path.dirname(path.resolve(file));
  if (opts.dryRun) {
    const { dryRun } = await import('../../runtime/run/dry-run.js');
    const { countItems } = await import('../../runtime/run/run-plan.js');
    const { sourceLoader } = await import('../../runtime/wiring.js');
    // Datasets fed by simulations or documents: count their items locally (nothing is sent anywhere).
    const itemCounts = await countItems(plan, { projectRoot, backend: opts.backend ?? 'auto', ...(maxMemory !== undefined ? { maxMemory } : {}), sourceItems: sourceLoader(plan, projectRoot, opts.allowOutsideProject ?? false), ...(opts.dataset ? { datasets: opts.dataset } : {}) });
    process.stdout.write(dryRun(plan, { ...(opts.dataset ? { datasets: opts.dataset } : {}), ...(opts.limit ? { limit: Number(opts.limit) } : {}), itemCounts }));
    return 0;
  }
  const progress = new RunProgress();
  let interrupted: string | undefined;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = 'interrupted';
    process.stderr.write('\nstopping: finishing rows in flight (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const { promptRunnerFactory, sourceLoader, budgetGuard } = await import('../../runtime/wiring.js');
    const budget = budgetGuard(opts.budget ? Number(opts.budget.replace(/^\$/, '')) : undefined);
    if (budget.limitUsd !== undefined) {
      // Refuse to start when the estimate alone is over the budget.
      const { estimate } = await import('../../runtime/run/dry-run.js');
      const est = estimate(plan, { ...(opts.dataset ? { datasets: opts.dataset } : {}), ...(opts.limit ? { limit: Number(opts.limit) } : {}) });
      const total = est.reduce((a, e) => a + (e.usd !== undefined && !Number.isNaN(e.usd) ? e.usd : 0), 0);
      if (total > budget.limitUsd) {
        process.stderr.write(`error SYN5003: the estimated cost $${total.toFixed(2)} is over the budget of $${budget.limitUsd}; nothing was sent (see --dry-run)\n`);
        return 2;
      }
    }
    const pollMs = Number(process.env['SYNTH_BATCH_POLL_MS'] ?? '') || undefined;
    const wiring = promptRunnerFactory(plan, projectRoot, budget, { batch: { wait: opts.wait ?? true, ...(pollMs ? { pollMs } : {}) } });
    const summary = await runPlan({
      plan,
      projectRoot,
      ...(opts.dataset ? { datasets: opts.dataset } : {}),
      ...(opts.limit ? { limit: Number(opts.limit) } : {}),
      ...(opts.out ? { outDir: opts.out } : {}),
      backend: opts.backend ?? 'auto',
      ...(maxMemory !== undefined ? { maxMemory } : {}),
      fresh: opts.fresh ?? false,
      ...(opts.shard ? { shard: parseShard(opts.shard)! } : {}),
      allowOutsideProject: opts.allowOutsideProject ?? false,
      prompts: wiring.factory,
      sourceItems: sourceLoader(plan, projectRoot, opts.allowOutsideProject ?? false),
      ...(opts.concurrency ? { concurrency: Number(opts.concurrency) } : {}),
      onProgress: (n, p) => progress.update(n, p),
      onNotice: (line) => process.stderr.write(line + '\n'),
      shouldStop: () => interrupted ?? budget.exceeded(),
      modelsReported: wiring.modelsReported,
    });
    progress.stop();
    await wiring.close();
    writeLock(file, plan, wiring.modelsReported());
    for (const r of summary.results) {
      const rel = path.relative(process.cwd(), r.output);
      process.stderr.write(
        `${r.name}: ${r.counts.written} rows${r.stats['images_written'] ? ` (${r.stats['images_written']} images)` : ''} → ${rel} (${r.counts.failed} failed, ${r.counts.filtered} filtered, ${r.counts.duplicates} duplicates${r.counts.resumed ? `, ${r.counts.resumed} from an earlier run` : ''}) in ${(r.wallMs / 1000).toFixed(1)}s\n`,
      );
      for (const e of r.expects) {
        const vals = Object.values(e.measured).map((v) => +v.toFixed(4)).join(', ');
        process.stderr.write(`  expect ${e.text}: ${e.passed ? 'pass' : 'FAIL'} (measured ${vals}${e.error ? '; ' + e.error : ''})\n`);
      }
    }
    if (summary.stopped?.startsWith('batch ')) {
      process.stderr.write(`${summary.stopped}\n`);
      return 75; // EX_TEMPFAIL: not done yet, try again later
    }
    if (summary.stopped) {
      process.stderr.write(`stopped (${summary.stopped}); run the same command again to continue\n`);
      return summary.stopped === 'interrupted' ? 130 : 2;
    }
    return summary.failedExpectations ? 1 : 0;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
}
