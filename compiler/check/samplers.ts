// `vary` clauses: a grid (`vary x in DOMAIN`, every value once) or a draw (`vary x ~ SAMPLER(...)`, one value per
// row), with the type each gives its variable. The samplers are compiler/builtins.ts's SAMPLERS. A parameter is a
// constant (checked here against the distribution's domain) or an expression of earlier `vary`s and the `for` item
// (conditional sampling: its domain is checked per row when it is drawn, compiler/plan/samplers.ts).
import type * as A from '../../grammar/ast.js';
import { SAMPLERS } from '../builtins.js';
import { parseDate, parseDatetime } from '../plan/dates.js';
import { MAX_POISSON_RATE } from '../plan/samplers.js';
import { T, assignable, isNumeric, show, type Ty } from '../types.js';
import { constNumber, constNumberIeee } from './const-eval.js';
import type { DatasetScope } from './dataset-scope.js';
import { namesIn } from './expr-names.js';
import { fakeType } from './fake.js';
import { checkFractions } from './settings.js';
import { datasetRows, isIterableProblem, reportIterableProblem } from './iterables.js';
import { isTableDecl } from './sources.js';

/** The largest Poisson rate a dataset may draw with: e^-700 is still a normal double. */
export { MAX_POISSON_RATE };

/** The type of a `vary` variable, after checking its domain or sampler. Errors give `unknown`. */
export function varyType(c: A.VaryClause, ds: DatasetScope): Ty {
  return c.mode === 'grid' ? gridType(c, ds) : drawType(c, ds);
}

/** `vary x in Enum | [a, b] | lo..hi`. */
function gridType(c: A.VaryClause, ds: DatasetScope): Ty {
  const { ctx } = ds;
  const e = c.dist;
  if (e.kind === 'Name') {
    const sym = ctx.symbols.get(e.name.name);
    if (sym?.decl.kind === 'Enum') {
      ctx.refer(e.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
      return { k: 'enum', name: sym.name };
    }
  }
  if (e.kind === 'Range') {
    const lo = constNumber(e.low);
    const hi = constNumber(e.high);
    if (lo === undefined || hi === undefined || !Number.isInteger(lo) || !Number.isInteger(hi)) ctx.report('SYN3031', e.span, { name: c.name.name });
    else if (lo > hi) ctx.report('SYN3034', e.span, { what: `vary ${c.name.name} in ${lo}..${hi}`, low: lo, high: hi });
    return T.int;
  }
  if (e.kind === 'Array') {
    const t = ds.exprs.check(e, ds.scope());
    return t.k === 'array' ? t.elem : T.unknown;
  }
  ctx.report('SYN3031', e.span, { name: c.name.name });
  return T.unknown;
}

/** `vary x ~ sampler(args)`. */
function drawType(c: A.VaryClause, ds: DatasetScope): Ty {
  const { ctx } = ds;
  const e = c.dist;
  if (e.kind !== 'Call') {
    const examples = Object.values(SAMPLERS).map((s) => s.signature.split(' |')[0]).slice(0, 3).join(', ');
    if (e.kind !== 'Missing') ctx.report('SYN3032', e.span, { name: c.name.name, examples });
    return T.unknown;
  }
  const name = e.callee.name;
  if (!SAMPLERS[name]) {
    ctx.report('SYN1001', e.callee.span, { what: 'sampler', name }, { ...ctx.suggest(e.callee.span, name, Object.keys(SAMPLERS)), choices: Object.keys(SAMPLERS), data: { name } });
    return T.unknown;
  }
  ctx.refer(e.callee, { file: '', span: e.callee.span, kind: 'builtin', type: T.unknown });
  // Only `fake` takes a named argument (its locale); compiler/check/fake.ts checks those.
  if (name !== 'fake') for (const n of e.named ?? []) ctx.report('SYN2040', n.name.span, { callee: `${name}(…)`, name: n.name.name });
  for (const a of e.args) notYetDrawn(c, a, ds);
  // A constant argument that is no finite number (an overflow, a division by 0) would fail every row at run time.
  for (const [i, a] of e.args.entries()) {
    const v = constNumberIeee(a);
    if (v === undefined || Number.isFinite(v)) continue;
    const why = Number.isNaN(v) ? 'not a number (0/0 or Infinity - Infinity)' : 'past the largest float (about 1.8e308): an overflow or a division by 0';
    ctx.report('SYN3036', a.span, { index: i + 1, sampler: name, value: String(v), why });
    return T.unknown;
  }
  /** The type of an argument, checked once however many readings of the call ask for it. */
  const types = new Map<A.Expr, Ty>();
  const argType = (a: A.Expr): Ty => {
    let t = types.get(a);
    if (!t) types.set(a, (t = ds.exprs.check(a, ds.scope())));
    return t;
  };
  /** SYN2008: the arguments are not what the sampler takes. */
  const bad = (expected: string): Ty => {
    ctx.report('SYN2008', e.span, { sampler: name, expected });
    return T.unknown;
  };
  /** SYN3033: a parameter outside the distribution's domain. */
  const outside = (signature: string, condition: string): Ty => {
    ctx.report('SYN3033', e.span, { signature, condition });
    return T.unknown;
  };
  /**
   * The numeric arguments when there are `n` of them: each its constant value, or null when it is computed per
   * row (an expression of earlier `vary`s and the `for` item: its domain is checked for each row at run time);
   * undefined when one is not a number (an integer, with `int`).
   */
  const nums = (n: number, int = false): Array<number | null> | undefined => {
    if (e.args.length !== n) return undefined;
    const out: Array<number | null> = [];
    for (const a of e.args) {
      const t = argType(a);
      const v = constNumber(a);
      if (v !== undefined) {
        if (!Number.isFinite(v) || (int && !Number.isInteger(v))) return undefined;
        out.push(v);
      } else if (int ? t.k === 'int' || t.k === 'unknown' : isNumeric(t)) out.push(null);
      else return undefined;
    }
    return out;
  };
  const known = (v: number | null | undefined): v is number => typeof v === 'number';
  switch (name) {
    case 'uniform': {
      const arg = e.args[0];
      if (e.args.length === 1 && arg?.kind === 'Name' && !ds.vars.has(arg.name.name)) return uniformEnum(arg, ds);
      const when = e.args.length === 2 ? uniformWhen(e, ds, argType) : undefined;
      if (when) return when;
      const v = nums(2);
      if (!v) return bad('an enum, two numbers or two dates: uniform(0.0, 1.0), uniform(date("2024-01-01"), date("2024-12-31"))');
      if (known(v[0]) && known(v[1]) && v[0] >= v[1]) return outside('uniform(low, high)', 'low < high');
      return T.float;
    }
    case 'normal': {
      const v = nums(2);
      if (!v) return bad('two numbers: normal(mean, sd)');
      if (known(v[1]) && v[1] <= 0) return outside('normal(mean, sd)', 'sd > 0');
      return T.float;
    }
    case 'randint': {
      const v = nums(2, true);
      if (!v) return bad('two integers: randint(1, 6)');
      if (known(v[0]) && known(v[1]) && v[0] > v[1]) return outside('randint(low, high)', 'low ≤ high');
      return T.int;
    }
    case 'bernoulli': {
      const v = nums(1);
      if (!v) return bad('a probability: bernoulli(0.3)');
      if (known(v[0]) && (v[0] < 0 || v[0] > 1)) return outside('bernoulli(p)', '0 ≤ p ≤ 1');
      return T.bool;
    }
    case 'poisson': {
      const v = nums(1);
      if (!v) return bad('a rate: poisson(3)');
      // Above ~745, e^-lambda underflows to 0 and the runtime's inversion (compiler/plan/samplers.ts) could not draw.
      if (known(v[0]) && !(v[0] > 0 && v[0] <= MAX_POISSON_RATE)) return outside('poisson(lambda)', `0 < lambda ≤ ${MAX_POISSON_RATE}`);
      return T.int;
    }
    case 'one_of':
      return rowDraw(e, ds, bad) ?? oneOfType(e, ds, bad);
    case 'uuid':
      return e.args.length === 0 ? T.string : bad('no arguments: uuid()');
    case 'seq':
      if (e.args.length !== 0) return bad('no arguments: seq()');
      if (ds.level > 0) ds.ctx.report('SYN3058', e.span, { binder: ds.nestedFor?.binder.name ?? '' });
      return T.int;
    case 'weighted': {
      const drawn = rowDraw(e, ds, bad);
      if (drawn) return drawn;
      const rec = e.args[0];
      if (e.args.length !== 1 || rec?.kind !== 'Record') return bad('a record: weighted { a: 0.6, b: 0.4 }');
      checkFractions(ctx, rec, '`weighted`');
      return weightedType(rec, ds);
    }
    case 'fake':
      return fakeType(e, ds, bad);
  }
  return T.unknown;
}

/**
 * `one_of(people)` / `weighted(people, column)`: a row of a table source or of a dataset (the row type), uniformly
 * or weighted by a numeric column of the row type. Undefined when the first argument names neither (a list of
 * values then).
 */
function rowDraw(e: A.CallExpr, ds: DatasetScope, bad: (expected: string) => Ty): Ty | undefined {
  const { ctx } = ds;
  const from = e.args[0];
  if (from?.kind !== 'Name' || ds.vars.has(from.name.name)) return undefined;
  const sym = ctx.symbols.get(from.name.name);
  let rowType: Ty;
  if (sym?.decl.kind === 'Source' && isTableDecl(sym.decl)) {
    rowType = sym.decl.rowType ? (ctx.typeRefs.get(sym.decl.rowType) ?? T.unknown) : T.unknown;
  } else if (sym?.decl.kind === 'Dataset') {
    const el = datasetRows(ctx, sym.decl);
    if (isIterableProblem(el)) {
      reportIterableProblem(ctx, from, el);
      return T.unknown;
    }
    rowType = el.type;
    ds.reads.push({ name: sym.name, span: from.span });
  } else if (sym?.decl.kind === 'Source') {
    // documents have chunks, not rows: without this, the name would be read as an unknown value
    return bad(`a table or dataset to draw a row from; '${sym.name}' is a documents source (iterate it with \`for\`)`);
  } else return undefined;
  ctx.refer(from.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
  const name = e.callee.name;
  if (name === 'one_of' && e.args.length !== 1) return bad(`one table or dataset: one_of(${sym.name})`);
  if (name === 'weighted') {
    const col = e.args[1];
    if (e.args.length !== 2 || col?.kind !== 'Name') return bad(`a table or dataset and a numeric column: weighted(${sym.name}, weight)`);
    const fields = ds.exprs.fieldsOf(rowType);
    const ft = fields?.get(col.name.name);
    if (fields && !ft) {
      ctx.report('SYN2005', col.span, { type: show(rowType), name: col.name.name }, ctx.suggest(col.span, col.name.name, fields.keys()));
      return T.unknown;
    }
    if (ft) {
      const decl = rowType.k === 'struct' ? ctx.symbols.get(rowType.name)?.decl : undefined;
      const f = decl?.kind === 'Struct' ? decl.fields.find((x) => x.name.name === col.name.name) : undefined;
      if (f && decl && rowType.k === 'struct') ctx.refer(col.name, { file: ctx.symbols.get(rowType.name)!.file, span: f.name.span, kind: 'field', type: ft, declName: rowType.name });
      const base = ft.k === 'optional' ? ft.inner : ft;
      if (base.k !== 'int' && base.k !== 'float') ctx.report('SYN2033', col.span, { column: col.name.name, found: show(ft) });
    }
  }
  return rowType;
}

/**
 * SYN3041 for each name in a sampler's argument that is not drawn yet when the sampler draws: `vary`s are drawn
 * before the row's `let`s, prompt calls and judges, so an argument may read earlier `vary`s, the `for` item and
 * constants only.
 */
function notYetDrawn(c: A.VaryClause, arg: A.Expr, ds: DatasetScope): void {
  for (const id of namesIn(arg)) {
    const v = ds.vars.get(id.name);
    if (!v || v.resolution.kind === 'vary' || v.resolution.kind === 'for') continue;
    const what = v.resolution.kind === 'let' ? 'a `let`' : v.resolution.kind === 'judge' ? 'a judge score' : v.resolution.kind === 'row' ? 'the row' : `a ${v.resolution.kind}`;
    ds.ctx.report('SYN3041', id.span, { name: c.name.name, used: id.name, what });
  }
}

/**
 * `uniform(low, high)` of two dates or two datetimes: the type, or undefined when neither bound is one (a numeric
 * uniform). Constant bounds (`date("2024-01-01")`) must be in order.
 */
function uniformWhen(e: A.CallExpr, ds: DatasetScope, argType: (a: A.Expr) => Ty): Ty | undefined {
  const [lo, hi] = [e.args[0]!, e.args[1]!].map(argType) as [Ty, Ty];
  const kind = [lo, hi].find((t) => t.k === 'date' || t.k === 'datetime')?.k as 'date' | 'datetime' | undefined;
  if (!kind) return undefined;
  if (![lo, hi].every((t) => t.k === kind || t.k === 'unknown')) {
    ds.ctx.report('SYN2008', e.span, { sampler: 'uniform', expected: `two ${kind}s: uniform(${kind}("…"), ${kind}("…"))` });
    return T.unknown;
  }
  const [a, b] = [constWhen(e.args[0]!, kind), constWhen(e.args[1]!, kind)];
  if (a !== undefined && b !== undefined && a > b) {
    ds.ctx.report('SYN3033', e.span, { signature: `uniform(low, high) of ${kind}s`, condition: 'low ≤ high' });
    return T.unknown;
  }
  return kind === 'date' ? T.date : T.datetime;
}

/** The canonical value of `date("…")` / `datetime("…")` with a literal, as the bound of a `kind` uniform. */
export function constWhen(e: A.Expr, kind: 'date' | 'datetime'): string | undefined {
  if (e.kind !== 'Call' || e.callee.name !== kind || e.args.length !== 1 || e.args[0]!.kind !== 'String') return undefined;
  const text = e.args[0].value;
  return kind === 'date' ? (parseDate(text) ?? parseDatetime(text)?.slice(0, 10)) : parseDatetime(text);
}

/** `uniform(Enum)`: every case equally likely. */
function uniformEnum(arg: A.NameRef, ds: DatasetScope): Ty {
  const { ctx } = ds;
  const sym = ctx.symbols.get(arg.name.name);
  if (sym?.decl.kind === 'Enum') {
    ctx.refer(arg.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
    return { k: 'enum', name: sym.name };
  }
  ctx.report('SYN1001', arg.span, { what: 'enum', name: arg.name.name }, { ...ctx.suggest(arg.span, arg.name.name, ctx.symbols.namePool(['Enum'])), data: { name: arg.name.name } });
  return T.unknown;
}

/**
 * `one_of(a, b, ...)`: values of one type. String literals only give their union (`one_of("free", "pro")` is
 * `"free" | "pro"`, so it fills a field of that type; a union is a string wherever one is expected); string
 * literals among other strings widen to string.
 */
function oneOfType(e: A.CallExpr, ds: DatasetScope, bad: (expected: string) => Ty): Ty {
  if (e.args.length === 0) return bad('at least one value');
  const checked = e.args.map((a) => ds.exprs.check(a, ds.scope()));
  if (checked.every((t) => t.k === 'union')) return { k: 'union', members: [...new Set(checked.flatMap((t) => (t.k === 'union' ? t.members : [])))], drawn: true };
  const types = checked.map((t) => (t.k === 'union' ? T.string : t));
  const first = types[0]!;
  types.forEach((t, i) => {
    if (!assignable(t, first) && !assignable(first, t)) ds.ctx.report('SYN2014', e.args[i]!.span, { what: 'one_of values', first: show(first), other: show(t) });
  });
  return first;
}

/**
 * `weighted { a: 0.6, b: 0.4 }`: keys that are all cases of one enum make the variable that enum (the enum whose
 * cases are exactly the keys, else the smallest that has them all); keys that all name model blocks make it a
 * model value; otherwise it is the union of the keys as strings (`weighted { free: 0.2, pro: 0.8 }` fills a
 * field of type `"free" | "pro"`, and is a string wherever one is expected). Keys of which some
 * are enum cases and one is close to a case are most likely a typo: SYN1001 with the suggestion.
 */
function weightedType(rec: A.RecordLit, ds: DatasetScope): Ty {
  const { ctx } = ds;
  const keys = rec.entries.map((en) => en.key);
  const identKeys = keys.filter((k): k is A.Ident => k.kind === 'Ident');
  const asUnion = (): Ty => ({ k: 'union', members: [...new Set(keys.map((k) => (k.kind === 'Ident' ? k.name : k.value)))], drawn: true });
  if (keys.length === 0) return T.string;
  if (identKeys.length !== keys.length) return asUnion();
  const candidates = ctx.symbols.enumCases.get(identKeys[0]!.name) ?? [];
  const covering = candidates.filter((name) => identKeys.every((k) => ctx.symbols.enumCases.get(k.name)?.includes(name)));
  const size = (name: string) => {
    const d = ctx.symbols.get(name)?.decl;
    return d?.kind === 'Enum' ? d.cases.length : Infinity;
  };
  const en = covering.find((name) => size(name) === identKeys.length) ?? [...covering].sort((a, b) => size(a) - size(b))[0];
  if (en) {
    const sym = ctx.symbols.get(en)!;
    if (sym.decl.kind === 'Enum') {
      for (const k of identKeys) {
        const cs = sym.decl.cases.find((x) => x.name === k.name);
        if (cs) ctx.refer(k, { file: sym.file, span: cs.span, kind: 'enumCase', type: { k: 'enum', name: en }, declName: en });
      }
    }
    return { k: 'enum', name: en };
  }
  // keys that all name model blocks: a model value, like `one_of(fast, steady)` (docs/language.md, "Models as values")
  const models = identKeys.map((k) => ({ k, sym: ctx.symbols.get(k.name) }));
  if (models.every((m) => m.sym?.decl.kind === 'Model')) {
    for (const { k, sym } of models) ctx.refer(k, { file: sym!.file, span: sym!.decl.name.span, kind: 'decl', type: { k: 'model', models: [k.name] }, declName: k.name });
    return { k: 'model', models: [...new Set(identKeys.map((k) => k.name))].sort() };
  }
  const unknownKey = identKeys.find((k) => !ctx.symbols.enumCases.has(k.name));
  if (candidates.length > 0 || unknownKey) {
    const k = unknownKey ?? identKeys[0]!;
    const s = ctx.suggest(k.span, k.name, ctx.symbols.casePool());
    if (s.suggestion) {
      ctx.report('SYN1001', k.span, { what: 'enum case', name: k.name }, { ...s, data: { name: k.name } });
      return T.unknown;
    }
  }
  return asUnion();
}
