// `vary` clauses: a grid (`vary x in DOMAIN`, every value once) or a draw (`vary x ~ SAMPLER(...)`, one value per
// row), with the type each gives its variable. The samplers are compiler/builtins.ts's SAMPLERS; their parameters
// must be constants, so the plan can record them.
import type * as A from '../../grammar/ast.js';
import { SAMPLERS } from '../builtins.js';
import { T, assignable, show, type Ty } from '../types.js';
import { constNumber } from './const-eval.js';
import type { DatasetScope } from './dataset-scope.js';
import { checkFractions } from './settings.js';
import { datasetRows, isIterableProblem, reportIterableProblem } from './iterables.js';
import { isTableDecl } from './sources.js';

/** The largest Poisson rate a dataset may draw with: e^-700 is still a normal double. */
export const MAX_POISSON_RATE = 700;

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
  /** The arguments, when there are `n` of them and all are finite constants. */
  const nums = (n: number): number[] | undefined => {
    if (e.args.length !== n) return undefined;
    const vals = e.args.map(constNumber);
    return vals.every((v) => v !== undefined && Number.isFinite(v)) ? (vals as number[]) : undefined;
  };
  switch (name) {
    case 'uniform': {
      const arg = e.args[0];
      if (e.args.length === 1 && arg?.kind === 'Name') return uniformEnum(arg, ds);
      const v = nums(2);
      if (!v) return bad('an enum, or two constant numbers: uniform(0.0, 1.0)');
      if (v[0]! >= v[1]!) return outside('uniform(low, high)', 'low < high');
      return T.float;
    }
    case 'normal': {
      const v = nums(2);
      if (!v) return bad('two constant numbers: normal(mean, sd)');
      if (v[1]! <= 0) return outside('normal(mean, sd)', 'sd > 0');
      return T.float;
    }
    case 'randint': {
      const v = nums(2);
      if (!v || !v.every(Number.isInteger)) return bad('two constant integers: randint(1, 6)');
      if (v[0]! > v[1]!) return outside('randint(low, high)', 'low ≤ high');
      return T.int;
    }
    case 'bernoulli': {
      const v = nums(1);
      if (!v) return bad('a constant probability: bernoulli(0.3)');
      if (v[0]! < 0 || v[0]! > 1) return outside('bernoulli(p)', '0 ≤ p ≤ 1');
      return T.bool;
    }
    case 'poisson': {
      const v = nums(1);
      if (!v) return bad('a constant rate: poisson(3)');
      // Above ~745, e^-lambda underflows to 0 and the runtime's inversion (compiler/plan/samplers.ts) could not draw.
      if (!(v[0]! > 0 && v[0]! <= MAX_POISSON_RATE)) return outside('poisson(lambda)', `0 < lambda ≤ ${MAX_POISSON_RATE}`);
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
      if (base.k !== 'int' && base.k !== 'float') ctx.report('SYN2001', col.span, { what: `the weight column '${col.name.name}'`, expected: 'int or float', found: show(ft) });
    }
  }
  return rowType;
}

/** `uniform(Enum)`: every case equally likely. */
function uniformEnum(arg: A.NameRef, ds: DatasetScope): Ty {
  const { ctx } = ds;
  const sym = ctx.symbols.get(arg.name.name);
  if (sym?.decl.kind === 'Enum') {
    ctx.refer(arg.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
    return { k: 'enum', name: sym.name };
  }
  ctx.report('SYN1001', arg.span, { what: 'enum', name: arg.name.name }, { ...ctx.suggest(arg.span, arg.name.name, ctx.symbols.names(['Enum'])), data: { name: arg.name.name } });
  return T.unknown;
}

/** `one_of(a, b, ...)`: values of one type; string literals widen to string. */
function oneOfType(e: A.CallExpr, ds: DatasetScope, bad: (expected: string) => Ty): Ty {
  if (e.args.length === 0) return bad('at least one value');
  const types = e.args.map((a) => ds.exprs.check(a, ds.scope())).map((t) => (t.k === 'union' ? T.string : t));
  const first = types[0]!;
  types.forEach((t, i) => {
    if (!assignable(t, first) && !assignable(first, t)) ds.ctx.report('SYN2014', e.args[i]!.span, { what: 'one_of values', first: show(first), other: show(t) });
  });
  return first;
}

/**
 * `weighted { a: 0.6, b: 0.4 }`: keys that are all cases of one enum make the variable that enum (the enum whose
 * cases are exactly the keys, else the smallest that has them all); otherwise it is a string. Keys of which some
 * are enum cases and one is close to a case are most likely a typo: SYN1001 with the suggestion.
 */
function weightedType(rec: A.RecordLit, ds: DatasetScope): Ty {
  const { ctx } = ds;
  const keys = rec.entries.map((en) => en.key);
  const identKeys = keys.filter((k): k is A.Ident => k.kind === 'Ident');
  if (identKeys.length !== keys.length || keys.length === 0) return T.string;
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
  const unknownKey = identKeys.find((k) => !ctx.symbols.enumCases.has(k.name));
  if (candidates.length > 0 || unknownKey) {
    const k = unknownKey ?? identKeys[0]!;
    const s = ctx.suggest(k.span, k.name, ctx.symbols.enumCases.keys());
    if (s.suggestion) {
      ctx.report('SYN1001', k.span, { what: 'enum case', name: k.name }, { ...s, data: { name: k.name } });
      return T.unknown;
    }
  }
  return T.string;
}
