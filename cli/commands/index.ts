// Registers the commands beyond `check` (which lives in main.ts as the example of the pattern).
import { Option } from 'commander';
import type { SynthCommand } from '../command.js';
import type { Exit } from '../errors.js';
import { runBuild } from './build.js';
import { runFmt } from './fmt.js';
import { runInit } from './init.js';
import { registerLsp } from './lsp.js';
import { runMerge } from './merge.js';
import { runReport } from './report.js';
import { parseMaxMemory, runRun, type RunCliOptions } from './run.js';
import { oneOf, shardSpec, usdAmount, wholeNumber } from '../options.js';
import { runVerify } from './verify.js';



const BACKENDS = ['auto', 'cpu', 'webgpu'] as const;
const FORMATS = ['text', 'json'] as const;

/** Adds build, fmt, run, report, init, merge and lsp to `program`; each action reports its exit code through `exit`. */
export function register(program: SynthCommand, exit: Exit): void {
  registerLsp(program, exit);
  program
    .command('build')
    .description('compile a spec into a runtime plan (plan.json + generated WGSL)')
    .argument('<file>', 'spec file')
    .option('-o, --out <dir>', 'output folder (default: .synth/plan/ beside the spec)')
    .action((file: string, opts: { out?: string }) => exit(() => runBuild(file, opts)));

  program
    .command('fmt')
    .description('format .synth files in the canonical layout')
    .argument('<files...>', 'spec files')
    .option('--check', 'exit 1 if any file is not formatted; change nothing')
    .option('-w, --write', 'rewrite the files in place')
    .action((files: string[], opts: { check?: boolean; write?: boolean }) => exit(() => runFmt(files, opts)));

  program
    .command('run')
    .description('run a spec: simulate, call LLMs, check and write the datasets (resumes an interrupted run)')
    .argument('<file>', 'spec file')
    .option('-d, --dataset <name...>', 'only these datasets')
    .option('-n, --limit <rows>', 'at most this many rows per dataset', wholeNumber('--limit'))
    .option('-o, --out <dir>', 'write outputs into this folder instead of the paths in the spec')
    .addOption(new Option('--backend <backend>', 'simulation backend').choices(BACKENDS).argParser(oneOf('--backend', BACKENDS)).default('auto'))
    .option('--dry-run', 'print rows, calls, tokens and cost per dataset; send nothing')
    .addOption(new Option('--format <format>', 'output of --dry-run').choices(FORMATS).argParser(oneOf('--format', FORMATS)).default('text'))
    .option('--max-memory <size>', "refuse a simulation estimated to need more memory than this (e.g. 8GiB, or 'unlimited'; default: this machine's memory)", parseMaxMemory)
    .option('--budget <usd>', 'refuse to start when the estimate is over this many USD, and stop cleanly once the spend passes it', usdAmount('--budget'))
    .option('--shard <i/n>', 'produce only shard i of n (deterministic; combine with `synth merge`)', shardSpec('--shard'))
    .option('--fresh', 'discard a previous partial run of these datasets and start over')
    .option('--concurrency <n>', 'rows in flight (default: from the model block)', wholeNumber('--concurrency'))
    .option('--no-wait', '`mode batch` models: exit after submitting batches (exit code 75); run again to collect')
    .option('--allow-outside-project', 'allow output and document paths outside the spec folder')
    .action((file: string, opts: RunCliOptions) => exit(() => runRun(file, opts)));

  program
    .command('report')
    .description('write a self-contained HTML report (charts, expectations, samples) for an output folder')
    .argument('<dir>', 'folder holding the outputs and their *.manifest.json')
    .option('-o, --out <file>', 'report file (default: DIR/report.html)')
    .action((dir: string, opts: { out?: string }) => exit(() => runReport(dir, opts)));

  program
    .command('verify')
    .description("check every output under a folder against its manifest: sha256, row count, and that its run was complete")
    .argument('<dir>', 'folder holding outputs and their *.manifest.json')
    .action((dir: string) => exit(() => runVerify(dir)));

  program
    .command('init')
    .description('create a commented starter spec')
    .argument('[dir]', 'folder for the new spec', '.')
    .option('--name <name>', 'file name without .synth', 'spec')
    .action((dir: string, opts: { name?: string }) => exit(() => runInit(dir, opts)));

  program
    .command('merge')
    .description('combine the outputs of `synth run --shard i/n` runs into one dataset')
    .argument('<dirs...>', 'folders holding shard outputs and manifests')
    .option('-o, --out <dir>', 'folder for the merged outputs', 'merged')
    .action((dirs: string[], opts: { out?: string }) => exit(() => runMerge(dirs, opts)));
}
