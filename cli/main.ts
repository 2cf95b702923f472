#!/usr/bin/env node
// The `synth` command line: a thin layer over the compiler, runtime and language server.
// Every command returns an exit code (cli/exit-codes.ts). A user's mistake — a bad option, a missing file, a
// folder that is not an output folder — is one coded line and exit 1; an unexpected exception is a bug in
// synth, said in one line that asks for a report (the stack only under SYNTH_DEBUG=1), never a raw stack trace.
import { Option } from 'commander';
import { VERSION } from '../compiler/version.js';
import { SynthCommand } from './command.js';
import { runCheck } from './commands/check.js';
import { register } from './commands/index.js';
import { reportError } from './errors.js';
import { oneOf, wholeNumber } from './options.js';

/** Ends the process with the exit code `run` returns (or resolves with); an exception is printed by reportError. */
function exit(run: () => number | Promise<number>): Promise<void> {
  return Promise.resolve()
    .then(run)
    .then(
      (c) => {
        process.exitCode = c;
      },
      (err: unknown) => {
        process.exitCode = reportError(err);
      },
    );
}

// An exception outside a command's promise (a stream's error event, a timer) is still one line, not a trace.
process.on('uncaughtException', (err) => {
  process.exitCode = reportError(err);
  process.exit();
});

const program = new SynthCommand();
program.name('synth').description('Synth: declarative, type-checked synthetic data.').version(VERSION, '-v, --version');

program
  .command('check')
  .description('type-check .synth files')
  .argument('<files...>', 'spec files')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).argParser(oneOf('--format', ['text', 'json'])).default('text'))
  .addOption(new Option('--max-diagnostics <n>', 'diagnostics shown per file, and 4 × that in all (text format)').argParser(wholeNumber('--max-diagnostics')).default(50))
  // as `run` takes it: SYN4002 offers it, and a spec that runs with it must be checkable too
  .option('--allow-outside-project', 'read seed tables outside the spec folder (as `synth run --allow-outside-project`)')
  .action((files: string[], opts: { format: string; maxDiagnostics: number; allowOutsideProject?: boolean }) => exit(() => runCheck(files, opts)));

register(program, exit);
// an empty argument or option value is a mistake, not the current folder (SYN4111)
program.hook('preAction', (_program, command) => (command as SynthCommand).refuseEmptyValues());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // commander's usage errors (cli/command.ts) and option values (cli/options.ts), before any command ran
  process.exitCode = reportError(err);
}
