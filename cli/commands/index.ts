// Registers the commands beyond `check` (which lives in main.ts as the example of the pattern).
import { Command, Option } from 'commander';
import { runBuild } from './build.js';
import { runFmt } from './fmt.js';

export type Exit = (code: number | Promise<number>) => void;

export function register(program: Command, exit: Exit): void {
  program
    .command('build')
    .description('compile a spec into a runtime plan (plan.json + generated WGSL)')
    .argument('<file>', 'spec file')
    .option('-o, --out <dir>', 'output folder (default: plan/ beside the spec)')
    .action((file: string, opts: { out?: string }) => exit(runBuild(file, opts)));

  program
    .command('fmt')
    .description('format .synth files in the canonical layout')
    .argument('<files...>', 'spec files')
    .option('--check', 'exit 1 if any file is not formatted; change nothing')
    .option('-w, --write', 'rewrite the files in place')
    .action((files: string[], opts: { check?: boolean; write?: boolean }) => exit(runFmt(files, opts)));

  void Option;
}
