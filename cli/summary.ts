// The end-of-run summary of `synth run`, one block per dataset, and the exit code the run ends with.
//
//   people: 300 rows → out/people.jsonl (0 failed, 12 filtered, 3 duplicates) in 0.4s
//   tickets: 8 of 10 rows → out/tickets.jsonl (2 failed, 0 filtered, 0 duplicates; 6 reused, 4 remade: …) in 1.2s
//     2 rows missing:
//       2 × HTTP 500 from api.example.com: … (first: row 3)
//       3 × timeout: SYN5020 (below)
//   error SYN5022: dataset 'tickets' has 8 of 10 rows: 2 missing; run again to retry them
//
// Exit codes (docs/runtime.md, cli/exit-codes.ts): 0 every dataset complete and every `expect` holds; 1 the
// user's mistake (spec errors, the command line, a path or source) or a failed `expect`; 2 the run stopped on
// an error (an unusable endpoint, the circuit breaker, the budget, a write error) or a bug; 3 a dataset ended
// with rows missing; 75 provider batches still running (`--no-wait`); 130 Ctrl-C.
// Text from data or a model (refusals, values in causes) is shown with control characters escaped.
import * as path from 'node:path';
import { formatMessage } from '../base/diagnostics.js';
import { formatUsd } from '../compiler/plan/estimate.js';
import type { DatasetRunResult } from '../runtime/dataset/execute.js';
import type { RunSummary } from '../runtime/run/run-plan.js';
import { EXIT, exitCodeOf } from './exit-codes.js';

export { EXIT };

/** Escapes what a terminal would interpret (C0/C1 controls, DEL, bidi overrides) in text from data or a model. */
export function forTerminal(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\n/g, '\\n');
}

/** The summary lines of one dataset. */
export function datasetSummary(r: DatasetRunResult): string[] {
  const rel = path.relative(process.cwd(), r.output) || r.output;
  const c = r.counts;
  const rows = r.status === 'incomplete' && r.target !== undefined && r.unit !== 'items' ? `${c.written} of ${r.target} rows` : `${c.written} rows`;
  const images = r.stats['images_written'] ? ` (${r.stats['images_written']} images)` : '';
  const reuse: string[] = [];
  if (c.reused) reuse.push(`${c.reused} reused`);
  if (c.remade) reuse.push(`${c.remade} remade: ${Object.entries(r.remadeWhy).map(([why, n]) => (Object.keys(r.remadeWhy).length > 1 ? `${why} (${n})` : why)).join(', ')}`);
  const lines = [`${r.name}: ${rows}${images} → ${rel} (${c.failed} failed, ${c.notMade ? `${c.notMade} not made, ` : ''}${c.filtered} filtered, ${c.duplicates} duplicates${reuse.length ? '; ' + reuse.join(', ') : ''}) in ${(r.wallMs / 1000).toFixed(1)}s`];
  if (r.missing > 0) {
    lines.push(`  ${r.missing} ${r.unit === 'items' ? 'item' : 'row'}${r.missing === 1 ? '' : 's'} missing:`);
    const stopCause = (r.error as { failure?: { key?: string } } | undefined)?.failure?.key;
    for (const g of r.causes) {
      // rows that failed with the error that stopped the run are told once, by that error's line
      // (named as the manifest names it: the cause's kind, and the code of the error that stopped the run)
      if (stopCause !== undefined && g.key === stopCause) {
        lines.push(`    ${g.count} × ${g.kind}: ${r.error!.code} (below)`);
        continue;
      }
      lines.push(`    ${g.count} × ${forTerminal(g.example)}${g.row >= 0 ? ` (first: row ${g.row})` : ''}`);
    }
  }
  for (const e of r.expects) {
    const vals = Object.values(e.measured).map((v) => +v.toFixed(4)).join(', ');
    lines.push(`  expect ${e.text}: ${e.passed ? 'pass' : 'FAIL'} (measured ${vals}${e.error ? '; ' + e.error : ''})`);
  }
  return lines;
}

/** The closing lines (errors, what to do) and the exit code of a finished run; `interrupted`: Ctrl-C was
 *  pressed (rows it kept from being made are missing: the run ends 130, not 3). */
export function runEnding(s: RunSummary, interrupted = false): { lines: string[]; code: number } {
  const end = ending(s, interrupted);
  // Reservations keep requests within --budget; a request that used more than its worst case (an endpoint
  // ignoring max_tokens, a provider batch charged at its end) can still pass it: never silently.
  if (s.budget && s.budget.spentUsd > s.budget.limitUsd && !s.error) {
    end.lines.push(`error SYN5027: ${formatMessage('SYN5027', { reason: `budget of ${formatUsd(s.budget.limitUsd)} passed: ${formatUsd(s.budget.spentUsd)} spent` })}`);
    if (end.code === EXIT.ok || end.code === EXIT.failedExpectations || end.code === EXIT.incomplete) end.code = EXIT.error;
  }
  return end;
}

function ending(s: RunSummary, interrupted: boolean): { lines: string[]; code: number } {
  const lines: string[] = [];
  if (interrupted && !s.error && s.incomplete.length) {
    lines.push('stopped (interrupted); run the same command again to continue');
    return { lines, code: EXIT.interrupted };
  }
  if (s.error) lines.push(`error ${s.error.code}: ${forTerminal(s.error.message)}`);
  for (const r of s.results) {
    if (r.status !== 'incomplete' || r.error || r.stoppedEarly) continue;
    // "tried again" only where a rerun can make them: not when every cause comes from the spec and its data
    const repeats = r.causes.length > 0 && r.causes.every((c) => c.repeats);
    const items = { dataset: r.name, written: r.counts.written, target: r.target ?? r.missing, missing: r.missing };
    const rows = { dataset: r.name, written: r.counts.written, target: r.target ?? r.counts.written + r.missing, missing: r.missing };
    if (r.unit === 'items') lines.push(repeats ? `error SYN5063: ${formatMessage('SYN5063', items)}` : `error SYN5060: ${formatMessage('SYN5060', items)}`);
    else lines.push(repeats ? `error SYN5062: ${formatMessage('SYN5062', rows)}` : `error SYN5022: ${formatMessage('SYN5022', rows)}`);
  }
  for (const b of s.blocked ?? []) lines.push(`error SYN5057: ${formatMessage('SYN5057', { dataset: b.dataset, upstream: b.upstream })}`);
  if (s.error) return { lines, code: exitCodeOf(s.error.code) };
  if (s.results.some((r) => r.deferred)) {
    lines.push(forTerminal(s.stopped ?? 'provider batches are still running: run the same command again to collect them'));
    return { lines, code: EXIT.batchPending };
  }
  if (s.stopped) {
    lines.push(`stopped (${s.stopped}); run the same command again to continue`);
    return { lines, code: s.stopped === 'interrupted' ? EXIT.interrupted : EXIT.error };
  }
  if (s.incomplete.length || s.blocked?.length) return { lines, code: EXIT.incomplete };
  return { lines, code: s.failedExpectations ? EXIT.failedExpectations : EXIT.ok };
}
