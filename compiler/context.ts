// Shared state of one checking pass: the program, its symbols, the diagnostics sink, and the resolved types
// (kept in side tables keyed by AST node so the LSP can ask "what is the type of this expression?").
import type * as A from '../grammar/ast.js';
import { makeDiagnostic, type Diagnostic, type DiagnosticCode, type Fix, type RelatedInfo } from '../grammar/diagnostics.js';
import type { Program } from './program.js';
import type { SymbolTable } from './symbols.js';
import type { Ty } from './types.js';

/** Where a name in an expression came from: the LSP uses this for go-to-definition, hover and rename. */
export interface Resolution {
  file: string;
  span: A.Span;
  kind: 'decl' | 'enumCase' | 'param' | 'vary' | 'let' | 'for' | 'row' | 'judge' | 'field' | 'builtin' | 'simField';
  type: Ty;
  /** the declaration's name, for kinds that refer to a declaration */
  declName?: string;
}

/** What checking one declaration produced, so an unchanged declaration can be replayed instead of re-checked. */
export interface DeclRecord {
  diagnostics: Diagnostic[];
  references: Array<[A.Ident, Resolution]>;
  exprTypes: Array<[A.Expr, Ty]>;
}

class RecordingWeakMap<K extends object, V> extends WeakMap<K, V> {
  sink: Array<[K, V]> | undefined;
  override set(k: K, v: V): this {
    this.sink?.push([k, v]);
    return super.set(k, v);
  }
}

class RecordingMap<K, V> extends Map<K, V> {
  sink: Array<[K, V]> | undefined;
  override set(k: K, v: V): this {
    this.sink?.push([k, v]);
    return super.set(k, v);
  }
}

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  /** The type computed for each checked expression. */
  readonly exprTypes = new RecordingWeakMap<A.Expr, Ty>();
  /** For each Ident that refers to something, what it refers to. */
  readonly references = new RecordingMap<A.Ident, Resolution>();
  /** The resolved type of each declared struct field / prompt param / type reference. */
  readonly typeRefs = new WeakMap<A.TypeRef, Ty>();

  file = '';

  constructor(
    readonly program: Program,
    readonly symbols: SymbolTable,
  ) {}

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

  /** Runs `check` while recording everything it reports, so the result can be replayed later. */
  record(check: () => void): DeclRecord {
    const rec: DeclRecord = { diagnostics: [], references: [], exprTypes: [] };
    const start = this.diagnostics.length;
    this.references.sink = rec.references;
    this.exprTypes.sink = rec.exprTypes;
    try {
      check();
    } finally {
      this.references.sink = undefined;
      this.exprTypes.sink = undefined;
    }
    rec.diagnostics = this.diagnostics.slice(start);
    return rec;
  }

  replay(rec: DeclRecord): void {
    this.diagnostics.push(...rec.diagnostics);
    for (const [k, v] of rec.references) this.references.set(k, v);
    for (const [k, v] of rec.exprTypes) this.exprTypes.set(k, v);
  }
}
