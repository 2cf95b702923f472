// `for` clauses of a dataset. The first `for` that iterates over items — a source's chunks, a table's rows,
// another dataset's written rows, a simulation's events or trajectory — says which rows the dataset has (one
// per item, `each` per item). Every other `for` ranges over a list-typed expression (`for q in b.pairs`, `for t
// in c.tags`, `for x in [1, 2]`) and nests like a comprehension: the clauses after it run once per element, so
// one row index makes a group of rows (one LLM call → many rows).
import type * as A from '../../grammar/ast.js';
import { T, show, type Ty } from '../types.js';
import { constNumber, isEnvCall } from './const-eval.js';
import type { DatasetScope } from './dataset-scope.js';
import type { ScopeVar } from './expressions.js';
import { namesIn } from './expr-names.js';
import { isIterableProblem, iterableElement, reportIterableProblem, type IterableElement, type IterableProblem } from './iterables.js';

/** What `for x in e` iterates over: items (the dataset's rows), or a list (a nested `for`). */
export function forKind(ds: DatasetScope, c: A.ForClause): { items: IterableElement } | { problem: IterableProblem } | { list: true } {
  const e = c.iterable;
  // a name in the dataset's scope (`for t in tags`) is a list, whatever declaration shares its name
  if (e.kind === 'Name' && ds.vars.has(e.name.name)) return { list: true };
  if (e.kind === 'Member' && e.object.kind === 'Name' && ds.vars.has(e.object.name.name)) return { list: true };
  const el = iterableElement(ds.ctx, e);
  if (!isIterableProblem(el)) return { items: el };
  // declarations that cannot be iterated, and unknown names, are reported as the iterable's problem
  if (el.problem !== 'not-iterable' || e.kind === 'Name') return { problem: el };
  return { list: true };
}

/** A `for` clause: the dataset's items (the first `for`), or a nested `for` over a list. */
export function checkFor(c: A.ForClause, ds: DatasetScope): void {
  const k = forKind(ds, c);
  if ('items' in k) itemsFor(c, k.items, ds);
  else if ('problem' in k) {
    reportIterableProblem(ds.ctx, c.iterable, k.problem);
    ds.declare(c.binder, T.unknown, 'for');
    if (!ds.itemsFor && ds.level === 0) ds.hasRows = true; // one mistake, one diagnostic: not SYN3004 as well
  } else listFor(c, ds);
  if (c.each) checkEach(c.each, ds);
}

function itemsFor(c: A.ForClause, el: IterableElement, ds: DatasetScope): void {
  if (ds.itemsFor || ds.level > 0) {
    ds.ctx.report('SYN3056', c.iterable.span, { binder: c.binder.name, what: describe(el) });
    ds.declare(c.binder, el.type, 'for');
    return;
  }
  ds.itemsFor = c;
  ds.hasRows = true;
  ds.declare(c.binder, el.type, 'for');
  if (el.kind === 'dataset') ds.reads.push({ name: el.decl, span: c.iterable.span });
  if (c.where) itemWhere(c, c.where, ds);
}

/** `for x in LIST`: a nested level; `where` sees everything declared so far and the element. */
function listFor(c: A.ForClause, ds: DatasetScope): void {
  const t = ds.exprs.check(c.iterable, ds.scope({ promptCalls: true }));
  const base = t.k === 'optional' ? t.inner : t;
  let elem: Ty = T.unknown;
  if (base.k === 'array') elem = base.elem;
  else if (base.k !== 'unknown') ds.ctx.report('SYN3029', c.iterable.span, { what: `this expression (${show(t)})` });
  if (ds.rowClause) ds.ctx.report('SYN3057', ds.rowClause.span, { binder: c.binder.name });
  ds.level++;
  ds.nestedFor = c;
  ds.declare(c.binder, elem, 'for');
  if (c.where) ds.exprs.expectCondition(c.where, ds.scope(), 'a `where`');
}

/**
 * `for x in … where cond` (the first `for`): a bool over the item alone, since it runs before anything else of the
 * row (no draw, no prompt call for a dropped item). A name of the dataset other than the item is SYN3042; prompt
 * calls are SYN3003.
 */
function itemWhere(c: A.ForClause, where: A.Expr, ds: DatasetScope): void {
  const vars = new Map<string, ScopeVar>();
  const item = ds.vars.get(c.binder.name);
  if (item) vars.set(c.binder.name, item);
  for (const id of namesIn(where)) {
    const v = ds.vars.get(id.name);
    if (!v || id.name === c.binder.name) continue;
    ds.ctx.report('SYN3042', id.span, { binder: c.binder.name || 'the item', name: id.name, what: `a \`${v.resolution.kind}\`` });
    vars.set(id.name, v); // reported once: not again as an unknown name
  }
  ds.exprs.expectCondition(where, { vars }, 'a `where`');
}

function describe(el: IterableElement): string {
  switch (el.kind) {
    case 'source':
      return `the documents of source '${el.decl}'`;
    case 'table':
      return `the rows of table '${el.decl}'`;
    case 'dataset':
      return `the rows of dataset '${el.decl}'`;
    case 'event':
      return `the events ${el.decl}.${el.event}`;
    case 'trajectory':
      return `the trajectory of ${el.decl}`;
  }
}

/** The integer samplers `each` takes, with the most rows they can give an item. */
export function eachBounds(e: A.Expr): { max: number; min: number } | undefined {
  const n = constNumber(e);
  if (n !== undefined) return Number.isInteger(n) && n >= 1 ? { min: n, max: n } : undefined;
  if (e.kind !== 'Call') return undefined;
  const vals = e.args.map(constNumber);
  if (vals.some((v) => v === undefined || !Number.isInteger(v) || v < 0)) return undefined;
  const v = vals as number[];
  if (e.callee.name === 'randint' && v.length === 2 && v[0]! <= v[1]! && v[1]! >= 1) return { min: v[0]!, max: v[1]! };
  if (e.callee.name === 'one_of' && v.length >= 1 && Math.max(...v) >= 1) return { min: Math.min(...v), max: Math.max(...v) };
  return undefined;
}

/** The largest `each` the index space reserves for: more rows than this per item is surely a mistake. */
export const MAX_EACH = 10_000;

/** `each N` / `each randint(a, b)` / `each one_of(…)`: SYN2050 otherwise (SYN4001 for `env(...)`). */
function checkEach(e: A.Expr, ds: DatasetScope): void {
  if (isEnvCall(e)) {
    ds.ctx.report('SYN4001', e.span, { what: '`each`' });
    return;
  }
  const b = eachBounds(e);
  const call = e as A.Expr;
  if (!b || b.max > MAX_EACH) ds.ctx.report('SYN2050', e.span, { max: MAX_EACH.toLocaleString('en-US') });
  else if (call.kind === 'Call') ds.ctx.refer(call.callee, { file: '', span: call.callee.span, kind: 'builtin', type: T.int });
}
