// The state of one dataset's check, shared by its clause checks: the names declared so far (clauses are checked
// in source order, each adding names that later clauses see: `vary` and `let` variables, the `for` binder, `judge`
// scores, then `row` once the row clause has run) and what the dataset has said so far.
import type * as A from '../../grammar/ast.js';
import type { Ty } from '../types.js';
import type { CheckContext } from './context.js';
import { ExprChecker, type Scope, type ScopeVar } from './expressions.js';
import type { Resolution } from './tables.js';

export class DatasetScope {
  /** variables declared by the clauses checked so far, by name */
  readonly vars = new Map<string, ScopeVar>();
  readonly exprs: ExprChecker;
  /** a `count`, `for` or grid `vary` clause was seen */
  hasRows = false;
  /** a `row =` clause was seen */
  hasRow = false;
  /** the dataset's `key value` settings, checked together after the clauses */
  readonly settings: A.Setting[] = [];
  /** the first `for`, over the dataset's items (a source, table, dataset or simulation) */
  itemsFor: A.ForClause | undefined;
  /** nested `for`s (over lists) so far: the clauses after the k-th run once per element */
  level = 0;
  /** the last nested `for` */
  nestedFor: A.ForClause | undefined;
  /** the `row =` clause, once seen */
  rowClause: A.RowClause | undefined;
  /** the datasets this one reads (`for c in customers`, `one_of(customers)`), where */
  readonly reads: Array<{ name: string; span: A.Span }> = [];

  /** `rowType`: the resolved `dataset d: T` type, if the dataset declares one. */
  constructor(
    readonly ctx: CheckContext,
    readonly decl: A.DatasetDecl,
    readonly rowType: Ty | undefined,
  ) {
    this.exprs = new ExprChecker(ctx);
  }

  /** The expression scope of the next clause; `extra` allows prompt calls or aggregates where the clause does. */
  scope(extra: Partial<Scope> = {}): Scope {
    return { vars: this.vars, ...extra };
  }

  /** Declares the variable `id` (SYN1009 if the dataset already has one of that name). */
  declare(id: A.Ident, type: Ty, kind: Resolution['kind']): void {
    if (!id.name) return;
    const prev = this.vars.get(id.name);
    if (prev) {
      this.ctx.report('SYN1009', id.span, { name: id.name, scope: 'this dataset' }, {
        related: [{ file: this.ctx.file, span: prev.resolution.span, message: 'first declared here' }],
      });
      return;
    }
    const resolution: Resolution = { file: this.ctx.file, span: id.span, kind, type };
    this.ctx.refer(id, resolution);
    this.vars.set(id.name, { type, resolution });
  }
}
