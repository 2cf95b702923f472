// Checking a `dataset` block: its clauses in source order, each through the checks registered for its kind
// (CLAUSE_CHECKS below), sharing one DatasetScope; then its settings and what every dataset needs.
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { DATASET_SETTINGS } from '../settings.js';
import { T, assignable, isNumeric, show, type Ty } from '../types.js';
import { constNumber, isEnvCall } from './const-eval.js';
import type { CheckContext } from './context.js';
import { DatasetScope } from './dataset-scope.js';
import { checkDatasetReads } from './dataset-reads.js';
import { checkFor } from './for-clauses.js';
import { checkGridCells } from './grid-cells.js';
import { CheckRegistry } from './registry.js';
import { checkAgainst, fits } from './records.js';
import { varyType } from './samplers.js';
import { checkOutputShared } from './outputs.js';
import { checkSettings } from './settings.js';
import { containsImage } from './type-refs.js';

/** The file endings `output` accepts, one per writer. */
export const OUTPUT_FORMATS = ['.jsonl', '.csv', '.parquet'];

/** The fields of `format chat { ... }`: the roles of a chat message. */
const CHAT_ROLES = ['system', 'user', 'assistant'];

/** A dataset: the row type's images, each clause, the settings, and rows/row/output being said (SYN3004/5/9). */
export function checkDataset(d: A.DatasetDecl, ctx: CheckContext): void {
  const rowType = d.rowType ? (ctx.typeRefs.get(d.rowType) ?? T.unknown) : undefined;
  if (d.rowType && rowType) imageFields(ctx, d.rowType, rowType);
  const ds = new DatasetScope(ctx, d, rowType);
  for (const c of d.clauses) CLAUSE_CHECKS.run(c, ds, ctx);
  checkSettings(ctx, ds.settings, DATASET_SETTINGS, `dataset ${d.name.name}`);
  if (!ds.hasRows) ctx.report('SYN3004', d.name.span, { name: d.name.name });
  if (!ds.hasRow) ctx.report('SYN3005', d.name.span, { name: d.name.name });
  if (!d.clauses.some((c) => c.kind === 'Output')) ctx.report('SYN3009', d.name.span, { name: d.name.name });
  checkOutputShared(d, ctx);
  checkDatasetReads(d, ds);
  checkGridCells(d, ctx);
}

/** The keyword that starts a clause, to name it in SYN9001. */
function clauseWord(c: A.Clause): string {
  return c.kind === 'LetClause' ? 'let' : c.kind === 'SettingClause' ? c.setting.key.name || 'setting' : c.kind.toLowerCase();
}

/** Positive constant integers: `count N`. */
function positiveInt(ctx: CheckContext, e: A.Expr, what: string): void {
  const n = constNumber(e);
  if (n === undefined || !Number.isInteger(n) || n < 1) ctx.report('SYN2016', e.span, { what });
}

/** Images become one output line per image (and a file each), so they may only be top-level row fields. */
function imageFields(ctx: CheckContext, ref: A.TypeRef, rowType: Ty): void {
  if (rowType.k === 'image') {
    ctx.report('SYN3018', ref.span);
    return;
  }
  if (rowType.k !== 'struct') return;
  const d = ctx.symbols.get(rowType.name)?.decl;
  if (d?.kind !== 'Struct') return;
  for (const f of d.fields) {
    const t = ctx.typeRefs.get(f.type) ?? T.unknown;
    if (t.k !== 'image' && containsImage(t, ctx)) ctx.report('SYN3019', ref.span, { field: f.name.name, struct: rowType.name, type: show(t) });
  }
}

/** Does a judge prompt's result give a score: a number, or a struct with a numeric `score` field? */
function isScore(ds: DatasetScope, t: Ty): boolean {
  if (t.k === 'unknown' || t.k === 'int' || t.k === 'float') return true;
  const s = ds.exprs.fieldsOf(t)?.get('score');
  return !!s && isNumeric(s);
}

/**
 * `row = prompt(...)` or `row = { ... }`, checked against the dataset's row type (a record literal structurally, at
 * any depth: records.ts); returns the rows' type.
 */
function rowValue(ds: DatasetScope, value: A.Expr): Ty {
  const { ctx, rowType } = ds;
  if (value.kind === 'Record' && rowType && rowType.k !== 'unknown') {
    return checkAgainst(ds.exprs, value, ds.scope(), rowType, { owner: show(rowType), path: '' }, (span, expected, found) => ctx.report('SYN2029', span, { expected, found }));
  }
  const t = ds.exprs.check(value, ds.scope({ promptCalls: true }));
  if (value.kind !== 'Call' && value.kind !== 'Record' && value.kind !== 'Missing') ctx.report('SYN2023', value.span);
  if (rowType && !fits(ds.exprs, t, rowType)) ctx.report('SYN2029', value.span, { expected: show(rowType), found: show(t) });
  return t;
}

/** The checks of each clause kind; a clause's check may declare names for the clauses after it. */
export const CLAUSE_CHECKS = new CheckRegistry<A.Clause, DatasetScope>((c) => `\`${clauseWord(c)}\` clause`)
  .register('Count', 'count', (c, ds) => {
    ds.hasRows = true;
    if (isEnvCall(c.value)) ds.ctx.report('SYN4001', c.value.span, { what: '`count`' });
    else positiveInt(ds.ctx, c.value, 'count');
  })
  .register('For', 'for', checkFor)
  .register('Vary', 'vary', (c, ds) => {
    if (c.mode === 'grid') ds.hasRows = true; // a grid alone enumerates its combinations
    ds.declare(c.name, varyType(c, ds), 'vary');
  })
  .register('LetClause', 'let', (c, ds) => {
    ds.declare(c.name, ds.exprs.check(c.value, ds.scope({ promptCalls: true })), 'let');
  })
  .register('Row', 'row', (c, ds) => {
    ds.hasRow = true;
    ds.rowClause = c;
    const t = rowValue(ds, c.value);
    const type = ds.rowType ?? t;
    ds.vars.set('row', { type, resolution: { file: ds.ctx.file, span: c.span, kind: 'row', type } });
  })
  .register('Check', 'check', (c, ds) => {
    ds.exprs.expectCondition(c.expr, ds.scope(), 'a `check`');
  })
  .register('Keep', 'keep', (c, ds) => {
    for (const n of c.names) {
      const v = ds.vars.get(n.name);
      if (!v) ds.ctx.report('SYN1001', n.span, { what: 'variable', name: n.name }, { ...ds.ctx.suggest(n.span, n.name, ds.vars.keys()), data: { name: n.name } });
      else if (v.resolution.kind === 'row') ds.ctx.report('SYN3020', n.span);
      else ds.ctx.refer(n, v.resolution);
    }
  })
  .register('Unique', 'unique', (c, ds) => {
    ds.exprs.check(c.expr, ds.scope());
    if (c.similarity) {
      const s = constNumber(c.similarity);
      if (s === undefined) ds.ctx.report('SYN2009', c.similarity.span, { key: 'similarity', block: '`unique`', expected: 'a constant Jaccard threshold in (0, 1], e.g. 0.85' });
      else if (!(s > 0 && s <= 1)) ds.ctx.report('SYN3007', c.similarity.span, { key: 'similarity', range: 'a Jaccard threshold in (0, 1], e.g. 0.85', value: s });
    }
  })
  .register('Judge', 'judge', (c, ds) => {
    const t = ds.exprs.check(c.call, ds.scope({ promptCalls: true }));
    if (c.call.kind !== 'Call' || ds.ctx.symbols.get(c.call.callee.name)?.decl.kind !== 'Prompt') ds.ctx.report('SYN2024', c.call.span);
    if (!isScore(ds, t)) ds.ctx.report('SYN2025', c.call.span, { found: show(t) });
    if (c.threshold) ds.exprs.expect(c.threshold, ds.scope(), T.float, 'a judge threshold');
    ds.declare(c.name, T.float, 'judge');
  })
  .register('Expect', 'expect', (c, ds) => {
    ds.exprs.expectCondition(c.expr, ds.scope({ aggregates: true }), 'an `expect`');
  })
  .register('Output', 'output', (c, ds) => {
    if (!OUTPUT_FORMATS.some((ext) => c.path.value.endsWith(ext))) ds.ctx.report('SYN3013', c.path.span, { formats: `${OUTPUT_FORMATS.slice(0, -1).join(', ')} or ${OUTPUT_FORMATS.at(-1)}` });
  })
  .register('Format', 'format', (c, ds) => {
    if (c.style.name !== 'chat') ds.ctx.report('SYN1001', c.style.span, { what: 'format', name: c.style.name }, { ...ds.ctx.suggest(c.style.span, c.style.name, ['chat']), choices: ['chat'], data: { name: c.style.name } });
    for (const en of c.fields.entries) {
      const k = keyName(en.key);
      if (!CHAT_ROLES.includes(k)) ds.ctx.report('SYN2005', en.key.span, { type: 'format chat', name: k }, { ...ds.ctx.suggest(en.key.span, k, CHAT_ROLES), choices: CHAT_ROLES });
      ds.exprs.expect(en.value, ds.scope(), T.string, `\`${k}\``);
    }
  })
  .register('SettingClause', 'setting', (c, ds) => {
    ds.settings.push(c.setting);
  });
