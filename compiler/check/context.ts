// Shared state of one checking pass: the program, its symbols, the diagnostics sink, and the resolved types
// (kept in side tables keyed by AST node so the LSP can ask "what is the type of this expression?").
import type * as A from '../../grammar/ast.js';
import { makeDiagnostic, type Diagnostic, type DiagnosticCode, type DiagnosticRest, type Fix } from '../../base/diagnostics.js';
import { newTables, type CheckTables, type Resolution } from './tables.js';
import type { Program } from '../program.js';
import { closest, type NamePool } from '../suggest.js';
import type { SymbolTable } from '../symbols.js';

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  /** The type computed for each checked expression. */
  readonly exprTypes: CheckTables['exprTypes'];
  /** For each Ident that refers to something, what it refers to. */
  readonly references: CheckTables['references'];
  /** The resolved type of each declared struct field / prompt param / type reference. */
  readonly typeRefs: CheckTables['typeRefs'];

  /** The file of the declaration being checked: where `report` places its diagnostics. */
  file = '';

  /** `tables`: an incremental session's tables (session.ts), which outlive this pass; fresh ones otherwise. */
  constructor(
    readonly program: Program,
    readonly symbols: SymbolTable,
    tables: CheckTables = newTables(),
  ) {
    this.exprTypes = tables.exprTypes;
    this.references = tables.references;
    this.typeRefs = tables.typeRefs;
  }

  /** Reports `code` at `span` of the current file; the arguments are typed by the code's template. */
  report<C extends DiagnosticCode>(code: C, span: A.Span, ...rest: DiagnosticRest<C>): void {
    this.diagnostics.push(makeDiagnostic(code, this.file, span, ...rest));
  }

  /** A quick fix that replaces `span` in the current file. */
  replaceFix(title: string, span: A.Span, newText: string): Fix {
    return { title, edits: [{ file: this.file, span, newText }] };
  }

  /**
   * The "did you mean" for a misspelt `name` at `span`: the closest name of `pools`, searched as one list
   * (suggest.ts; pass the symbol table's `namePool`/`casePool` for declared names, never a copy of them), with a
   * quick fix that writes it in; empty when nothing is close. Spread into a report's extras.
   */
  suggest(span: A.Span, name: string, ...pools: Array<Iterable<string> | NamePool>): { suggestion?: string; fix?: Fix } {
    const hint = closest(name, ...pools);
    return hint ? { suggestion: hint, fix: this.replaceFix(`Change to '${hint}'`, span, hint) } : {};
  }

  /** Records what `id` refers to (go-to-definition, hover, rename). */
  refer(id: A.Ident, r: Resolution): void {
    this.references.set(id, r);
  }
}
