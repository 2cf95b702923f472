#!/usr/bin/env node
// The `synth` command line: a thin layer over the compiler, runtime and language server.
// Every command returns an exit code; an unexpected exception is reported as an internal error in one line
// (with the stack only under SYNTH_DEBUG=1), never as a raw stack trace.
import { Command, InvalidArgumentError, Option } from 'commander';
import { SynthError } from '../base/diagnostics.js';
import { VERSION } from '../compiler/version.js';
import { runCheck } from './commands/check.js';
import { register } from './commands/index.js';
import { visible } from './render.js';


/**
 * Runs a command (`command` returns its exit code, or a promise of it) and sets the process's exit status. A
 * SynthError, thrown at once or later, is printed as one coded line (its text made safe for the terminal);
 * anything else is an internal error: one line, the stack only under SYNTH_DEBUG=1.
 */
function exit(command: () => number | Promise<number>): void {
  new Promise<number>((resolve) => resolve(command())).then(
    (c) => {
      process.exitCode = c;
    },
    (err: unknown) => {
      if (err instanceof SynthError) {
        const where = err.location ? `${visible(err.location.file)}: ` : '';
        process.stderr.write(`${where}error ${err.code}: ${visible(err.message)}\n`);
      } else {
        process.stderr.write(`synth: internal error: ${visible(err instanceof Error ? err.message : String(err))}\n`);
        if (process.env['SYNTH_DEBUG'] && err instanceof Error) process.stderr.write(String(err.stack) + '\n');
      }
      process.exitCode = 2;
    },
  );
}

/** A commander argument parser for a whole number ≥ 1; anything else is a usage error naming the option. */
function positiveInt(option: string): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`${option} takes a whole number ≥ 1 (got '${v}')`);
    return Number(v);
  };
}

const program = new Command();
program.name('synth').description('Synth: declarative, type-checked synthetic data.').version(VERSION, '-v, --version');

program
  .command('check')
  .description('type-check .synth files')
  .argument('<files...>', 'spec files')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .addOption(new Option('--max-diagnostics <n>', 'diagnostics shown per file (text format)').argParser(positiveInt('--max-diagnostics')).default(50))
  .action((files: string[], opts: { format: string; maxDiagnostics: number }) => exit(() => runCheck(files, opts)));

register(program, exit);

await program.parseAsync(process.argv);
