// The checker's side tables, keyed by AST node: what each name refers to and the type of each expression and
// type reference. A checking pass (context.ts) writes them; an incremental session (session.ts) keeps them
// across edits; the language server reads them for hover, completion, definition and rename.
import type * as A from '../../grammar/ast.js';
import type { Ty } from '../types.js';

/** Where a name in an expression came from: the LSP uses this for go-to-definition, hover and rename. */
export interface Resolution {
  file: string;
  span: A.Span;
  kind: 'decl' | 'enumCase' | 'param' | 'vary' | 'let' | 'for' | 'row' | 'judge' | 'field' | 'builtin' | 'simField';
  type: Ty;
  /** the declaration's name, for kinds that refer to a declaration */
  declName?: string;
}

/** A Map that reports the keys set while a sink is attached (what one declaration's check wrote). */
export class RecordingMap<K, V> extends Map<K, V> {
  sink: K[] | undefined;
/** Sets `k` and, while a sink is attached, records that it was set. */
  override set(k: K, v: V): this {
    this.sink?.push(k);
    return super.set(k, v);
  }
}

/** The checker's side tables, keyed by AST node; the language server reads them for hover, completion... */
export interface CheckTables {
  /** for each Ident that refers to something, what it refers to */
  readonly references: RecordingMap<A.Ident, Resolution>;
  /** the type computed for each checked expression */
  readonly exprTypes: RecordingMap<A.Expr, Ty>;
  /** the resolved type of each declared struct field / prompt param / type reference */
  readonly typeRefs: RecordingMap<A.TypeRef, Ty>;
}

/** Empty side tables, for one checking pass or one incremental session. */
export function newTables(): CheckTables {
  return { references: new RecordingMap(), exprTypes: new RecordingMap(), typeRefs: new RecordingMap() };
}
