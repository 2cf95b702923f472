// The checker's entry: binds names across the import closure and type-checks every declaration.
// Phase order (each phase sees the results of the previous ones):
//   1. symbols — every declaration of every file, duplicates reported (symbols.ts)
//   2. types   — struct fields, prompt params/returns resolved to Ty, so later phases can look fields up
//   3. bodies  — each declaration through the checks registered for its kind (check/checks.ts); datasets clause
//                by clause, each with the scope the earlier clauses built (check/datasets.ts)
//   4. program — checks across declarations, run whole on every check: two datasets writing one file (check/outputs.ts)
// Invariant: checking never throws on any AST the parser produced, including recovered ones; a check that
// throws anyway (a bug) becomes SYN9001 (check/registry.ts).
import type { Diagnostic } from '../base/diagnostics.js';
import type * as A from '../grammar/ast.js';
import { DECL_CHECKS, type CheckPhase } from './check/checks.js';
import { CheckContext } from './check/context.js';
import { checkOutputClashes } from './check/outputs.js';
import type { CheckSession } from './check/session.js';
import { loadProgram, type Host, type Program } from './program.js';
import { buildSymbols, type SymbolTable } from './symbols.js';

/** A checked program: its symbols, the side tables of the checking pass (`ctx`), and every diagnostic. */
export interface CheckResult {
  program: Program;
  symbols: SymbolTable;
  ctx: CheckContext;
  /** parse, import and check diagnostics, one per (file, position, code, message), sorted by file and position */
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

/**
 * Loads the program whose entry file is `entry` (its imports transitively, through `host`; `entryText` replaces
 * the entry's text, e.g. an unsaved editor buffer) and checks it. Never throws: a missing file is SYN1008, a
 * missing import SYN1003, every other problem a diagnostic too.
 */
export function checkFile(entry: string, host?: Host, entryText?: string): CheckResult {
  return checkProgram(loadProgram(entry, host, entryText));
}

export interface CheckOptions {
  /** Check incrementally: replay the results of declarations unaffected since the session's last check
   *  (check/session.ts). Worth it where the same program is checked again and again after small edits (the
   *  language server); pure overhead for one-shot runs. */
  session?: CheckSession;
}

/**
 * Checks a loaded program (`loadProgram`): symbols, then every declaration's types, then every declaration's
 * body. With `options.session` the result equals a full check's (diagnostics in the same order, the same side
 * tables), computed incrementally. Never throws.
 */
export function checkProgram(program: Program, options: CheckOptions = {}): CheckResult {
  const pre: Diagnostic[] = [];
  const session = options.session;
  const symbols = session ? session.begin(program, pre) : buildSymbols(program, pre);
  const ctx = new CheckContext(program, symbols, session?.tables);
  // loops, not push(...xs): a file can have more diagnostics than one call's arguments fit (~120,000)
  for (const d of program.diagnostics) ctx.diagnostics.push(d);
  for (const d of pre) ctx.diagnostics.push(d);
  const files = program.order.map((p) => program.files.get(p)!);
  // Phase 2: types of declarations other phases look up. Phase 3: each declaration. With a session, a declaration
  // unaffected since the last check is replayed instead (check/session.ts).
  for (const phase of ['types', 'body'] as const) {
    const checks = DECL_CHECKS[phase];
    for (const f of files) {
      ctx.file = f.path;
      for (const d of f.ast.decls) {
        if (!session) checks.run(d, ctx, ctx);
        else if (!session.replay(d, f.path, phase, ctx.diagnostics)) record(session, phase, d, ctx);
      }
    }
  }
  // Phase 4: checks across declarations that no one declaration's check could record cheaply (all of them run on
  // every check, with or without a session).
  checkOutputClashes(files, ctx);
  session?.end();
  const diagnostics = dedupe(ctx.diagnostics);
  return { program, symbols, ctx, diagnostics, hasErrors: diagnostics.some((d) => d.severity === 'error') };
}

// A function of its own: a closure in the loop above would make every iteration allocate a context for `d`.
function record(session: CheckSession, phase: CheckPhase, d: A.Decl, ctx: CheckContext): void {
  session.record(d, phase, ctx.diagnostics, () => DECL_CHECKS[phase].run(d, ctx, ctx));
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const k = `${d.file}:${d.span.start}:${d.code}:${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort((a, b) => (a.file === b.file ? a.span.start - b.span.start : a.file < b.file ? -1 : 1));
}
