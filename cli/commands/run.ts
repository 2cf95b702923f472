// `synth run FILE`: check, plan, then the runtime's `run` (or `dryRun` with --dry-run); this file only turns
// flags into options and results into lines. Ctrl-C finishes the rows in flight, journals them and exits 130;
// rerunning continues where it stopped. Exit codes (cli/summary.ts, docs/runtime.md): 0 every dataset complete
// and every `expect` holds, 1 spec errors or failed expectations, 2 the run stopped on an error, 3 a dataset
// ended with rows missing, 75 provider batches submitted and not yet done (`--no-wait`), 130 interrupted.
import * as path from 'node:path';
import { checkFile } from '../../compiler/check.js';
import { formatUsd } from '../../compiler/plan/estimate.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { parseBytes } from '../../compiler/sim/memory.js';
import type { RunOptions } from '../../runtime/run/options.js';
import { estimateJson, estimateText } from '../estimate.js';
import { RunProgress } from '../progress.js';
import { SynthError, synthError } from '../../base/diagnostics.js';
import { EXIT, exitCodeOf } from '../exit-codes.js';
import { checkDatasetNames, requireFolder, requireWritableFolder } from '../paths.js';
import { cpuWorkersFromEnv } from '../../runtime/sim/cpu.js';
import { dataFileText, printDiagnostics, renderDiagnostic, visible, writeLine } from '../render.js';
import { TableProblems } from '../../runtime/sources/table.js';
import { datasetSummary, runEnding } from '../summary.js';

/** The flags of `synth run` as commander parses them (see commands/index.ts). */
export interface RunCliOptions {
  dataset?: string[];
  /** rows per dataset, parsed by `wholeNumber` */
  limit?: number;
  out?: string;
  backend?: 'cpu' | 'webgpu' | 'auto';
  fresh?: boolean;
  /** parsed by `shardSpec` */
  shard?: { index: number; count: number };
  allowOutsideProject?: boolean;
  dryRun?: boolean;
  /** `--dry-run` output: a table (default) or JSON */
  format?: 'text' | 'json';
  /** USD, parsed by `usdAmount` */
  budget?: number;
  /** rows in flight, parsed by `wholeNumber` */
  concurrency?: number;
  /** commander's `--no-wait` sets wait: false */
  wait?: boolean;
  /** bytes, parsed by `parseMaxMemory` (Infinity for unlimited) */
  maxMemory?: number;
}

/**
 * `--max-memory 8GiB`, `512MB`, `unlimited` → bytes (Infinity for unlimited). Throws SYN4101 (exit 1) for
 * anything else: no size, a negative or zero size (nothing could run), spaces around it, an unknown unit (`5XB`).
 */
export function parseMaxMemory(s: string): number {
  const b = s === s.trim() ? parseBytes(s) : undefined;
  if (b === undefined || !(b > 0)) throw synthError('SYN4101', { option: '--max-memory', expected: 'a size above 0 such as 512MiB, 8GiB or unlimited', value: s });
  return b;
}

/** The runtime options for `file` from the flags (the spec's folder is the project root). */
export function runOptions(file: string, opts: RunCliOptions): RunOptions {
  const pollMs = Number(process.env['SYNTH_BATCH_POLL_MS'] ?? '') || undefined;
  return {
    projectRoot: path.dirname(path.resolve(file)),
    specPath: file,
    ...(opts.dataset ? { datasets: opts.dataset } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.out ? { outDir: opts.out } : {}),
    backend: opts.backend ?? 'auto',
    ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
    fresh: opts.fresh ?? false,
    ...(opts.shard ? { shard: opts.shard } : {}),
    allowOutsideProject: opts.allowOutsideProject ?? false,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.budget !== undefined ? { budgetUsd: opts.budget } : {}),
    batch: { wait: opts.wait ?? true, ...(pollMs ? { pollMs } : {}) },
    onNotice: (line) => writeLine(line),
  };
}

/**
 * `synth run FILE [flags]`: resolves with the exit code (above). A SynthError rejects; main.ts prints it with
 * its exit code (cli/exit-codes.ts: 1 for the user's mistakes such as `--dataset nope` or `--out FILE`).
 * Rows of a seed table that do not fit its type are shown like spec errors, with the file's line (exit 1).
 */
export async function runRun(file: string, opts: RunCliOptions): Promise<number> {
  try {
    return await runChecked(file, opts);
  } catch (e) {
    // the user's data found wrong once the run reached it (a weight in a dataset drawn from): shown like a spec
    // error, at the spec's line and column
    if (!(e instanceof TableProblems) && e instanceof SynthError && e.location && exitCodeOf(e.code) === EXIT.userError) {
      printDiagnostics([{ code: e.code, severity: 'error', message: e.message, file: e.location.file, span: e.location.span }], dataFileText);
      return EXIT.userError;
    }
    if (!(e instanceof TableProblems)) throw e;
    const n = printDiagnostics(e.diagnostics, dataFileText);
    process.stderr.write(`${n.errors} error${n.errors === 1 ? '' : 's'} in seed tables; nothing was run\n`);
    return 1;
  }
}

async function runChecked(file: string, opts: RunCliOptions): Promise<number> {
  if (opts.format === 'json' && !opts.dryRun) throw synthError('SYN4110', { option: '--format json', needs: '--dry-run (a run reports on stderr and in its manifests)' });
  if (opts.out) requireFolder(opts.out, '--out');
  cpuWorkersFromEnv(); // SYN4113 for a bad SYNTH_CPU_WORKERS, before any work
  const res = checkFile(file);
  const textOf = (p: string) => res.program.files.get(p)?.text;
  printDiagnostics(res.diagnostics, textOf);
  if (res.hasErrors) return 1;
  const { plan } = buildPlan(res);
  checkDatasetNames(plan, opts.dataset);
  const options = runOptions(file, opts);
  if (opts.dryRun) {
    const { dryRun } = await import('../../runtime/run/dry-run.js');
    const estimate = await dryRun(plan, options);
    process.stdout.write(opts.format === 'json' ? estimateJson(plan, estimate) : estimateText(plan, estimate));
    return 0;
  }
  // SYN4112 before any work for an output folder that cannot be written (the run would create it anyway)
  if (opts.out) requireWritableFolder(opts.out, '--out');
  const progress = new RunProgress();
  let interrupted: string | undefined;
  const onSigint = () => {
    if (interrupted) {
      progress.stop();
      process.exit(130);
    }
    interrupted = 'interrupted';
    progress.note('stopping: finishing rows in flight (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  try {
    const { run } = await import('../../runtime/run/run-plan.js');
    const summary = await run(plan, {
      ...options,
      interrupted: () => interrupted !== undefined,
      onEstimate: (e) => progress.note(`estimated cost ${formatUsd(e.total.usd)} (budget ${formatUsd(options.budgetUsd ?? 0)})`),
      onProgress: (n, p) => progress.update(n, p),
      onSim: (e) => progress.sim(e),
      onNotice: (line) => progress.note(visible(line)),
      shouldStop: () => interrupted,
    });
    progress.stop();
    // output paths, expectations and causes come from the spec, data and models: shown with controls made visible
    for (const r of summary.results) for (const line of datasetSummary(r)) writeLine(line);
    const ending = runEnding(summary, interrupted !== undefined);
    for (const line of ending.lines) writeLine(line);
    return ending.code;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
}
