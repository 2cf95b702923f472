// `synth run FILE`: check, plan, then the runtime's `run` (or `dryRun` with --dry-run); this file only turns
// flags into options and results into lines. Ctrl-C finishes the rows in flight, journals them and exits 130;
// rerunning continues where it stopped. Exit codes (cli/summary.ts, docs/runtime.md): 0 every dataset complete
// and every `expect` holds, 1 spec errors or failed expectations, 2 the run stopped on an error, 3 a dataset
// ended with rows missing, 75 provider batches submitted and not yet done (`--no-wait`), 130 interrupted.
import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { checkFile } from '../../compiler/check.js';
import { formatUsd } from '../../compiler/plan/estimate.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { parseBytes } from '../../compiler/sim/memory.js';
import type { RunOptions } from '../../runtime/run/options.js';
import { estimateJson, estimateText } from '../estimate.js';
import { RunProgress } from '../progress.js';
import { dataFileText, printDiagnostics, renderDiagnostic } from '../render.js';
import { TableProblems } from '../../runtime/sources/table.js';
import { datasetSummary, runEnding } from '../summary.js';

/** The flags of `synth run` as commander parses them (see commands/index.ts). */
export interface RunCliOptions {
  dataset?: string[];
  /** rows per dataset, parsed by `parseCount` */
  limit?: number;
  out?: string;
  backend?: 'cpu' | 'webgpu' | 'auto';
  fresh?: boolean;
  shard?: string;
  allowOutsideProject?: boolean;
  dryRun?: boolean;
  /** `--dry-run` output: a table (default) or JSON */
  format?: 'text' | 'json';
  /** USD, parsed by `parseBudget` */
  budget?: number;
  /** rows in flight, parsed by `parseCount` */
  concurrency?: number;
  /** commander's `--no-wait` sets wait: false */
  wait?: boolean;
  /** bytes, parsed by `parseMaxMemory` (Infinity for unlimited) */
  maxMemory?: number;
}

/** `--shard i/n` → `{ index: i, count: n }` (undefined when absent). Throws Error with the expected form when malformed or i ≥ n. */
export function parseShard(s: string | undefined): { index: number; count: number } | undefined {
  if (!s) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new Error(`--shard takes i/n with 0 ≤ i < n, e.g. 0/4 (got '${s}')`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** `--budget 5`, `--budget $0.50` → USD. Throws commander's InvalidArgumentError (exit 1) for anything but an amount ≥ 0. */
export function parseBudget(s: string): number {
  const usd = Number(s.trim().replace(/^\$/, ''));
  if (!s.trim() || !Number.isFinite(usd) || usd < 0) throw new InvalidArgumentError('expected an amount of USD, e.g. 5 or 0.50');
  return usd;
}

/** `--max-memory 8GiB`, `512MB`, `unlimited` → bytes (Infinity for unlimited). Throws commander's InvalidArgumentError (exit 1) otherwise. */
export function parseMaxMemory(s: string): number {
  const b = parseBytes(s);
  if (b === undefined) throw new InvalidArgumentError('expected a size such as 512MiB, 8GiB or unlimited');
  return b;
}

/** `--limit 100`, `--concurrency 8` → a whole number ≥ 1. Throws commander's InvalidArgumentError (exit 1) otherwise. */
export function parseCount(s: string): number {
  const n = Number(s.trim());
  if (!s.trim() || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
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
    ...(opts.shard ? { shard: parseShard(opts.shard)! } : {}),
    allowOutsideProject: opts.allowOutsideProject ?? false,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.budget !== undefined ? { budgetUsd: opts.budget } : {}),
    batch: { wait: opts.wait ?? true, ...(pollMs ? { pollMs } : {}) },
    onNotice: (line) => process.stderr.write(line + '\n'),
  };
}

/**
 * `synth run FILE [flags]`: resolves with the exit code (above); a SynthError rejects (main.ts prints it, exit 2).
 * Rows of a seed table that do not fit its type are shown like spec errors, with the file's line (exit 1).
 */
export async function runRun(file: string, opts: RunCliOptions): Promise<number> {
  try {
    return await runChecked(file, opts);
  } catch (e) {
    if (!(e instanceof TableProblems)) throw e;
    const n = printDiagnostics(e.diagnostics, dataFileText);
    process.stderr.write(`${n.errors} error${n.errors === 1 ? '' : 's'} in seed tables; nothing was run\n`);
    return 1;
  }
}

async function runChecked(file: string, opts: RunCliOptions): Promise<number> {
  if (opts.format === 'json' && !opts.dryRun) {
    process.stderr.write('synth run: --format json applies to --dry-run (a run reports on stderr and in its manifests)\n');
    return 1;
  }
  const res = checkFile(file);
  const textOf = (p: string) => res.program.files.get(p)?.text;
  for (const d of res.diagnostics) process.stderr.write(renderDiagnostic(d, textOf) + '\n');
  if (res.hasErrors) return 1;
  const { plan } = buildPlan(res);
  const options = runOptions(file, opts);
  if (opts.dryRun) {
    const { dryRun } = await import('../../runtime/run/dry-run.js');
    const estimate = await dryRun(plan, options);
    process.stdout.write(opts.format === 'json' ? estimateJson(plan, estimate) : estimateText(plan, estimate));
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
    const { run } = await import('../../runtime/run/run-plan.js');
    const summary = await run(plan, {
      ...options,
      interrupted: () => interrupted !== undefined,
      onEstimate: (e) => process.stderr.write(`estimated cost ${formatUsd(e.total.usd)} (budget ${formatUsd(options.budgetUsd ?? 0)})\n`),
      onProgress: (n, p) => progress.update(n, p),
      shouldStop: () => interrupted,
    });
    progress.stop();
    for (const r of summary.results) process.stderr.write(datasetSummary(r).join('\n') + '\n');
    const ending = runEnding(summary, interrupted !== undefined);
    for (const line of ending.lines) process.stderr.write(line + '\n');
    return ending.code;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
}
