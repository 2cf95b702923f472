// How a command that stops on an exception ends: a SynthError is one line, `[file: ]error SYN####: message`,
// and its exit code (cli/exit-codes.ts); anything else is a bug in synth — one line that says so and asks for
// a report, exit 2, the stack only under SYNTH_DEBUG=1. Never a raw stack trace for a user's mistake.
import { SynthError } from '../base/diagnostics.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { visible } from './render.js';

/** Runs a command and turns its exit code (or its promise) into the process exit status; an exception it throws
 *  (sync or async) is printed as one line by `reportError` (main.ts). */
export type Exit = (run: () => number | Promise<number>) => Promise<void>;

/** Writes `err` to stderr as above and returns the exit code to end with. */
export function reportError(err: unknown): number {
  if (err instanceof SynthError) {
    const where = err.location ? `${visible(err.location.file)}: ` : '';
    process.stderr.write(`${where}error ${err.code}: ${visible(err.message)}\n`);
    return exitCodeOf(err.code);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `synth: internal error: ${visible(message)}\n` +
      'This is a bug in synth, not in your input: please report it with the command you ran and the spec (SYNTH_DEBUG=1 shows where it happened).\n',
  );
  if (process.env['SYNTH_DEBUG'] && err instanceof Error) process.stderr.write(String(err.stack) + '\n');
  return EXIT.error;
}
