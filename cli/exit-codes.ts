// The exit codes of every synth command (docs/runtime.md, "Outcomes and exit codes"), and which one a coded
// error ends with. The line between 1 and 2: exit 1 is a mistake in what the user gave synth — the spec, the
// command line, a path, an environment variable, a folder that is not an output folder — which they fix and
// rerun; exit 2 is a run that stopped on an error outside their input (an endpoint, the disk, the budget, a
// simulation), or a bug in synth itself (said as such, with a request to report it).
import type { DiagnosticCode } from '../base/diagnostics.js';

export const EXIT = { ok: 0, failedExpectations: 1, userError: 1, error: 2, incomplete: 3, batchPending: 75, interrupted: 130 } as const;

/** Run-time codes that are the user's input mistake (the rest of SYN5xxx/SYN6xxx stop a run: exit 2). */
const USER_RUNTIME_CODES: ReadonlySet<string> = new Set([
  'SYN5001', // a model without its API key variable
  'SYN5006', // a plan that lacks a stage it names (edited, or built by another synth)
  'SYN5007', // a source whose pattern matches nothing
  'SYN5008', // shards of an inexact simulation made on different backends
  'SYN5009', // an unknown dataset asked of a run
  'SYN5010', // a plan whose simulation stage this synth cannot run
  'SYN5011', // a dataset that reads one this run has not made
  'SYN5012', // a plan drawn with another faker version
  'SYN5013', // a plan drawing in a faker locale this synth lacks
  'SYN5014', // a plan drawing with a faker method this synth lacks
  'SYN5015', // a run of prompts given no LLM client
  'SYN5016', // chunk settings that make no chunks
  'SYN5017', // a source file that cannot be read
  'SYN5018', // a source whose files hold no text
  'SYN5025', // synth verify: an output that does not match its manifest
  'SYN5026', // synth verify: an output whose run was not complete
  'SYN5030', // a plan whose split cannot name a file (edited by hand)
  'SYN5031', // --shard for a dataset that writes several files
  'SYN5050', // a table row that does not fit its type (a weight column drawn by)
  'SYN5055', // a draw from a table or dataset with no rows
  'SYN5056', // a weighted draw whose weights sum to 0
  'SYN5061', // a weighted draw from a dataset with a bad weight in a row
  'SYN5058', // a draw from all rows of a dataset, in a shard
  'SYN5070', // a broken symbolic link matched by files()
]);

/**
 * The exit code a command ends with when it stops on the error `code`: 1 for the user's mistakes (syntax,
 * names, types, semantics, configuration and the command line — SYN0xxx–SYN4xxx —, the run-time codes listed
 * above, `synth merge`'s SYN51xx and `synth report`'s SYN52xx), 2 for everything else (a run stopped on an error, a bug: SYN9xxx).
 */
export function exitCodeOf(code: DiagnosticCode | string): number {
  if (/^SYN[0-4]/.test(code) || /^SYN5[12]/.test(code) || USER_RUNTIME_CODES.has(code)) return EXIT.userError;
  return EXIT.error;
}
