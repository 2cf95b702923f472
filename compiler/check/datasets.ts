// Checking a `dataset` block: its clauses in source order, each through the checks registered for its kind
// (CLAUSE_CHECKS below), sharing one DatasetScope; then its settings and what every dataset needs.
import type * as A from '../../grammar/ast.js';
import { namesIn } from './expr-names.js';
import { keyName } from '../../grammar/ast.js';
import { DATASET_SETTINGS } from '../settings.js';
import { T, assignable, isNumeric, sameType, show, widenLiterals, type Ty } from '../types.js';
import { constNumber, isEnvCall } from './const-eval.js';
import type { CheckContext } from './context.js';
import { DatasetScope } from './dataset-scope.js';
import { checkDatasetReads } from './dataset-reads.js';
import { checkFor } from './for-clauses.js';
import { checkGridCells } from './grid-cells.js';
import { CheckRegistry } from './registry.js';
import { checkAgainst, fits } from './records.js';
import { varyType } from './samplers.js';
import { checkSettings } from './settings.js';
import { containsImage } from './type-refs.js';
import { MESSAGE_TYPE } from '../chat-types.js';
import { MAX_LOOP_ITERATIONS } from '../plan/interpret.js';

/** The file endings `output` accepts, one per writer. */
export const OUTPUT_FORMATS = ['.jsonl', '.csv', '.parquet'];

/** The writers `output "…" format NAME` names: the file formats, and `hf`, a Hugging Face dataset folder. */
export const OUTPUT_FORMAT_NAMES = ['jsonl', 'csv', 'parquet', 'hf'];

/** The fields of `format chat { ... }`: the roles of a single-turn chat, or `messages`, a whole conversation. */
const CHAT_FIELDS = ['system', 'user', 'assistant', 'messages'];

/** Clauses a loop body may hold. */
const LOOP_CLAUSES = new Set<A.Clause['kind']>(['LetClause', 'SetClause', 'Loop']);

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
  splitOutputs(d, ds);
  toolTypes(d, ctx);
  checkDatasetReads(d, ds);
  checkGridCells(d, ctx);
}

/**
 * `{split}` in an output path needs splits, from the dataset or the goal (SYN3088); an output written per split
 * (`{split}`, `format hf`) needs split names that can be file names (SYN3092: never `..` or a `/`).
 */
function splitOutputs(d: A.DatasetDecl, ds: DatasetScope): void {
  const own = ds.settings.find((s) => s.key.name === 'split');
  const split = own ?? ds.ctx.symbols.goalRead()?.decl.settings.find((s) => s.key.name === 'split');
  for (const c of d.clauses) {
    if (c.kind !== 'Output') continue;
    const hf = c.format?.name === 'hf';
    const perSplit = c.path.value.includes('{split}') || hf;
    // an hf folder holds every split itself: `out/hf-{split}` would be one folder literally named so
    if (hf && c.path.value.includes('{split}')) ds.ctx.report('SYN3096', c.path.span, { dataset: d.name.name });
    else if (c.path.value.includes('{split}') && !split) ds.ctx.report('SYN3088', c.path.span, { name: d.name.name });
    if (!perSplit || split?.value.kind !== 'Record') continue;
    for (const en of split.value.entries) {
      const name = keyName(en.key);
      // the goal's split is reported at the output that uses it, the dataset's at its key
      const at = own ? en.key.span : c.path.span;
      if (!/^[A-Za-z0-9_]+$/.test(name)) ds.ctx.report('SYN3092', at, { name, dataset: d.name.name });
      // Hugging Face `datasets` reserves `all` (NamedSplitAll: the union of every split)
      else if (hf && name.toLowerCase() === 'all') ds.ctx.report('SYN3095', at, { name, dataset: d.name.name });
    }
  }
}

/** The `call_tool` calls of a dataset, with the types of their arguments (they give the chat file's `tools`). */
export function toolCalls(d: A.DatasetDecl): Array<{ name: string; args: A.Expr; call: A.CallExpr }> {
  const out: Array<{ name: string; args: A.Expr; call: A.CallExpr }> = [];
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    const n = x as A.Expr;
    if (n.kind === 'Call' && n.callee.name === 'call_tool' && n.args[0]?.kind === 'String' && n.args[1]) out.push({ name: n.args[0].value, args: n.args[1], call: n });
    for (const k in n) if (k !== 'span') walk((n as unknown as Record<string, unknown>)[k]);
  };
  walk(d.clauses);
  return out;
}

/** The names a dataset's loops give new values (`x = …`), nested loops included. */
function assignedNames(d: A.DatasetDecl): Set<string> {
  const out = new Set<string>();
  const walk = (cs: A.Clause[]): void => {
    for (const c of cs) {
      if (c.kind === 'SetClause') out.add(c.name.name);
      else if (c.kind === 'Loop') walk(c.body);
    }
  };
  walk(d.clauses);
  return out;
}

/** Every call of one tool passes arguments of one type (SYN3091): the chat file declares one schema per tool. */
function toolTypes(d: A.DatasetDecl, ctx: CheckContext): void {
  const first = new Map<string, Ty>();
  for (const { name, args } of toolCalls(d)) {
    const given = ctx.exprTypes.get(args);
    if (!given || given.k === 'unknown') continue;
    // the schema declares `string` for a literal argument: `{ a: "x" }` and `{ a: "y" }` are one type
    const t = widenLiterals(given);
    const f = first.get(name);
    if (!f) first.set(name, t);
    else if (!sameType(f, t)) ctx.report('SYN3091', args.span, { name, first: show(f), other: show(t) });
  }
}

/** The keyword that starts a clause, to name it in SYN9001 and SYN3085. */
function clauseWord(c: A.Clause): string {
  switch (c.kind) {
    case 'LetClause':
      return 'let';
    case 'SettingClause':
      return c.setting.key.name || 'setting';
    case 'SetClause':
      return `${c.name.name} =`;
    case 'Loop':
      return 'for';
    default:
      return c.kind.toLowerCase();
  }
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

/** `judge q = …` also declares `q_reason` when the judge's answer carries a reason. */
export const JUDGE_REASON_SUFFIX = '_reason';

/** The field of a judge's answer that holds its reason: a string `reason` or `rationale`, if the struct has one. */
export function judgeReasonField(ds: { exprs: { fieldsOf(t: Ty): Map<string, Ty> | undefined } }, t: Ty): string | undefined {
  const fields = ds.exprs.fieldsOf(t);
  for (const f of ['reason', 'rationale']) {
    const ft = fields?.get(f);
    if (ft && (ft.k === 'string' || (ft.k === 'optional' && ft.inner.k === 'string'))) return f;
  }
  return undefined;
}

/** How SYN3006 names a variable that is not a `let`. */
const READ_ONLY: Partial<Record<string, string>> = { vary: 'a `vary` variable', for: 'the `for` item', judge: 'a judge score', row: 'the row', param: 'a parameter' };

/**
 * `for i in A..B { … }`: the range's bounds are ints known before the row calls a model (SYN3083, SYN3084); the
 * body holds only `let`s, new values and loops (SYN3085); `i` and the body's `let`s are visible only inside.
 */
function loop(c: A.LoopClause, ds: DatasetScope): void {
  const { ctx } = ds;
  if (c.where) ctx.report('SYN3083', c.where.span, { name: c.binder.name, found: 'a `where` filter (only `for x in ITEMS` filters)' });
  if (c.range.kind !== 'Range') {
    if (c.range.kind !== 'Missing') ctx.report('SYN3083', c.range.span, { name: c.binder.name, found: show(ds.exprs.check(c.range, ds.scope())) });
  } else {
    ds.exprs.expect(c.range.low, ds.scope(), T.int, 'a loop bound');
    ds.exprs.expect(c.range.high, ds.scope(), T.int, 'a loop bound');
    const used = ds.modelDependency(c.range);
    if (used) ctx.report('SYN3084', c.range.span, { name: c.binder.name, used });
    // a constant range the run would refuse in every row (interpret.ts): say so now, not as every row failing
    const low = constNumber(c.range.low);
    const high = constNumber(c.range.high);
    if (low !== undefined && high !== undefined && high - low + 1 > MAX_LOOP_ITERATIONS) {
      ctx.report('SYN3093', c.range.span, { name: c.binder.name, count: high - low + 1, low, high, max: MAX_LOOP_ITERATIONS });
    }
  }
  const before = new Set(ds.vars.keys());
  ds.declare(c.binder, T.int, 'for');
  ds.loopDepth++;
  for (const b of c.body) {
    if (!LOOP_CLAUSES.has(b.kind)) ctx.report('SYN3085', b.span, { clause: clauseWord(b) });
    else CLAUSE_CHECKS.run(b, ds, ctx);
  }
  ds.loopDepth--;
  for (const k of [...ds.vars.keys()]) if (!before.has(k)) ds.vars.delete(k);
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
    // a variable given new values in a loop (`acc = acc + "x"`) takes its first value's type with literals
    // widened (`let acc = ""` is a string); one never reassigned keeps a literal's type, so it still fits a
    // field declared `"free" | "pro"`
    const t = ds.exprs.check(c.value, ds.scope({ promptCalls: true }));
    ds.declare(c.name, assignedNames(ds.decl).has(c.name.name) ? widenLiterals(t) : t, 'let');
    if (ds.modelDependency(c.value)) ds.fromModel.add(c.name.name);
  })
  .register('Loop', 'for', (c, ds) => loop(c, ds))
  .register('SetClause', 'set', (c, ds) => {
    const t = ds.exprs.check(c.value, ds.scope({ promptCalls: true }));
    const v = ds.vars.get(c.name.name);
    if (!c.name.name) return;
    if (!v) {
      ds.ctx.report('SYN1001', c.name.span, { what: 'variable', name: c.name.name }, { ...ds.ctx.suggest(c.name.span, c.name.name, ds.vars.keys()), data: { name: c.name.name } });
      return;
    }
    ds.ctx.refer(c.name, v.resolution);
    if (v.resolution.kind !== 'let') ds.ctx.report('SYN3006', c.name.span, { name: c.name.name, what: READ_ONLY[v.resolution.kind] ?? 'not a `let`' });
    else if (ds.loopDepth === 0) ds.ctx.report('SYN3086', c.name.span, { name: c.name.name });
    else if (!assignable(t, v.type)) ds.ctx.report('SYN2001', c.value.span, { what: `the new value of '${c.name.name}'`, expected: show(v.type), found: show(t) });
    if (ds.modelDependency(c.value)) ds.fromModel.add(c.name.name);
  })
  .register('Row', 'row', (c, ds) => {
    ds.hasRow = true;
    ds.rowClause = c;
    const t = rowValue(ds, c.value);
    const type = ds.rowType ?? t;
    ds.vars.set('row', { type, resolution: { file: ds.ctx.file, span: c.span, kind: 'row', type } });
    if (ds.modelDependency(c.value)) ds.fromModel.add('row');
  })
  .register('Check', 'check', (c, ds) => {
    ds.exprs.expectCondition(c.expr, ds.scope(), 'a `check`');
  })
  .register('Keep', 'keep', (c, ds) => {
    for (const n of c.names) {
      const v = ds.vars.get(n.name);
      // `keep q_reason` of a judge whose prompt returns no reason: say why there is none
      const judge = n.name.endsWith(JUDGE_REASON_SUFFIX) ? ds.vars.get(n.name.slice(0, -JUDGE_REASON_SUFFIX.length)) : undefined;
      const why = judge?.resolution.kind === 'judge'
        ? [{ file: judge.resolution.file, span: judge.resolution.span, message: `judge ${n.name.slice(0, -JUDGE_REASON_SUFFIX.length)}'s prompt returns no \`reason\` (or \`rationale\`) field, so it gives no ${n.name}: return a record with a score and a reason` }]
        : undefined;
      if (!v) ds.ctx.report('SYN1001', n.span, { what: 'variable', name: n.name }, { ...ds.ctx.suggest(n.span, n.name, ds.vars.keys()), data: { name: n.name }, ...(why ? { related: why } : {}) });
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
    ds.fromModel.add(c.name.name);
    // a judge whose answer has a `reason` (or `rationale`) also gives NAME_reason, a column when kept
    if (judgeReasonField(ds, t)) {
      const reason = `${c.name.name}${JUDGE_REASON_SUFFIX}`;
      ds.declareDerived(reason, c.name.span, T.string, 'judge');
      ds.fromModel.add(reason);
    }
  })
  .register('Expect', 'expect', (c, ds) => {
    ds.exprs.expectCondition(c.expr, ds.scope({ aggregates: true }), 'an `expect`');
    // an expectation is measured on the rows as written: a variable that is not a column measures nothing (it
    // read 0 or NaN and failed or passed silently)
    // (the columns: the row's fields, by which a same-named variable is read, and the kept variables)
    const rowType = ds.vars.get('row')?.type ?? ds.rowType;
    const fields = rowType ? ds.exprs.fieldsOf(rowType) : undefined;
    if (!fields) return; // a row of unknown shape: its columns cannot be told here
    const columns = new Set([...fields.keys(), ...ds.decl.clauses.flatMap((k) => (k.kind === 'Keep' ? k.names.map((n) => n.name) : []))]);
    const reported = new Set<string>();
    for (const n of namesIn(c.expr)) {
      const kind = ds.vars.get(n.name)?.resolution.kind;
      if ((kind === 'vary' || kind === 'let' || kind === 'judge' || kind === 'for') && !columns.has(n.name) && !reported.has(n.name)) {
        reported.add(n.name);
        ds.ctx.report('SYN3097', n.span, { name: n.name });
      }
    }
  })
  .register('Output', 'output', (c, ds) => {
    const f = c.format;
    if (f) {
      if (f.name && !OUTPUT_FORMAT_NAMES.includes(f.name)) ds.ctx.report('SYN1001', f.span, { what: 'output format', name: f.name }, { ...ds.ctx.suggest(f.span, f.name, OUTPUT_FORMAT_NAMES), choices: OUTPUT_FORMAT_NAMES, data: { name: f.name } });
    } else if (!OUTPUT_FORMATS.some((ext) => c.path.value.endsWith(ext))) ds.ctx.report('SYN3013', c.path.span, { formats: `${OUTPUT_FORMATS.slice(0, -1).join(', ')} or ${OUTPUT_FORMATS.at(-1)} (or a folder with \`format hf\`)` });
    // `{split}` is the one placeholder of an output path
    for (const m of c.path.value.matchAll(/\{(\w*)\}/g)) {
      if (m[1] !== 'split') ds.ctx.report('SYN1001', c.path.span, { what: 'placeholder in the output path', name: m[1]! }, { ...ds.ctx.suggest(c.path.span, m[1]!, ['split']), choices: ['split'], data: { name: m[1] } });
    }
  })
  .register('Format', 'format', (c, ds) => {
    if (c.style.name !== 'chat') ds.ctx.report('SYN1001', c.style.span, { what: 'format', name: c.style.name }, { ...ds.ctx.suggest(c.style.span, c.style.name, ['chat']), choices: ['chat'], data: { name: c.style.name } });
    const keys = c.fields.entries.map((en) => keyName(en.key));
    if (keys.includes('messages') && keys.some((k) => k !== 'messages' && CHAT_FIELDS.includes(k))) ds.ctx.report('SYN3089', c.fields.span);
    for (const en of c.fields.entries) {
      const k = keyName(en.key);
      if (!CHAT_FIELDS.includes(k)) ds.ctx.report('SYN2005', en.key.span, { type: 'format chat', name: k }, { ...ds.ctx.suggest(en.key.span, k, CHAT_FIELDS), choices: CHAT_FIELDS });
      if (k === 'messages') ds.exprs.expect(en.value, ds.scope(), { k: 'array', elem: MESSAGE_TYPE }, '`messages`');
      else ds.exprs.expect(en.value, ds.scope(), T.string, `\`${k}\``);
    }
  })
  .register('SettingClause', 'setting', (c, ds) => {
    ds.settings.push(c.setting);
  });
