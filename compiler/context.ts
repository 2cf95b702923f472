// Shared state of one checking pass: the program, its symbols, the diagnostics sink, and the resolved types
// (kept in side tables keyed by AST node so the LSP can ask "what is the type of this expression?").
import type * as A from '../grammar/ast.js';
import { makeDiagnostic, type Diagnostic, type DiagnosticCode, type Fix, type RelatedInfo } from '../base/diagnostics.js';
import { newTables, type CheckTables, type Resolution } from './tables.js';
import type { Program } from './program.js';
import type { SymbolTable } from './symbols.js';
import type { Ty } from './types.js';

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  /** The type computed for each checked expression. */
  readonly exprTypes: CheckTables['exprTypes'];
  /** For each Ident that refers to something, what it refers to. */
  readonly references: CheckTables['references'];
  /** The resolved type of each declared struct field / prompt param / type reference. */
  readonly typeRefs: CheckTables['typeRefs'];

  file = '';

  /** `tables`: an incremental session's tables (check-session.ts), which outlive this pass; fresh ones otherwise. */
  constructor(
    readonly program: Program,
    readonly symbols: SymbolTable,
    tables: CheckTables = newTables(),
  ) {
    this.exprTypes = tables.exprTypes;
    this.references = tables.references;
    this.typeRefs = tables.typeRefs;
  }

  report(
    code: DiagnosticCode,
    span: A.Span,
    args: Record<string, string | number> = {},
    extra: { related?: RelatedInfo[]; fix?: Fix; data?: Record<string, unknown> } = {},
  ): void {
    this.diagnostics.push(makeDiagnostic(code, this.file, span, args, extra));
  }

  /** A quick fix that replaces `span` in the current file. */
  replaceFix(title: string, span: A.Span, newText: string): Fix {
    return { title, edits: [{ file: this.file, span, newText }] };
  }

  refer(id: A.Ident, r: Resolution): void {
    this.references.set(id, r);
  }
}
