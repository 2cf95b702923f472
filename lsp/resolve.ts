// What a name refers to. The checker records the targets of names in dataset-side code
// (`ctx.references`); this module adds the declarations themselves (declaration names, fields, enum cases,
// parameters) and simulation code, whose checker (compiler/sim) keeps no reference table, so go-to-definition,
// references, rename and hover treat every name the same way. The index is built per declaration and cached
// under the check session's stamp of it (`declNames`).
import type * as A from '../grammar/ast.js';
import { fromSimType, show, typeRefText } from '../compiler/types.js';
import type { CheckSession } from '../compiler/check/session.js';
import type { Resolution } from '../compiler/check/tables.js';
import { declKindWord } from '../compiler/symbols.js';
import { declAt } from './nodes.js';
import type { Analysis } from './workspace.js';

export interface Target {
  file: string;
  span: A.Span;
  name: string;
  kind: Resolution['kind'] | 'enum' | 'struct' | 'model' | 'prompt' | 'source' | 'sim' | 'dataset' | 'simParam' | 'simState' | 'simLet' | 'rule' | 'event' | 'eventField' | 'binder';
  /** a readable type, when there is one */
  type?: string;
  /** the declaration that owns the target (struct of a field, enum of a case, sim of a state...) */
  owner?: string;
}

export interface Occurrence {
  file: string;
  ident: A.Ident;
  target: Target;
}

/** A target's identity across analyses: `file:offset` of its declaring name. */
export function targetKey(t: { file: string; span: A.Span }): string {
  return `${t.file}:${t.span.start}`;
}

interface Index {
  /** every identifier with a target, declarations included */
  byIdent: Map<A.Ident, Occurrence>;
  all: Occurrence[];
}

/** The names of one declaration, valid while the check session's stamp of it is unchanged. */
interface DeclIndex extends Index {
  session: CheckSession;
  stamp: number;
}

const declIndexes = new WeakMap<A.Decl, DeclIndex>();

/**
 * The names of one declaration of the analysis' program with what they refer to: its own names (the declaration,
 * fields, cases, parameters, sim names) and the uses its check resolved (`ctx.references`). Cached per declaration
 * under the check session's stamp (compiler/check/session.ts `stampOf`): an edit recomputes only the declarations
 * it re-parsed or re-checked, so hover, definition and semantic tokens after an edit cost one declaration, not the
 * program.
 */
export function declNames(a: Analysis, file: string, d: A.Decl): Index {
  const stamp = a.session.stampOf(d);
  const hit = declIndexes.get(d);
  if (hit && stamp !== undefined && hit.stamp === stamp && hit.session === a.session) return hit;
  const byIdent = new Map<A.Ident, Occurrence>();
  const all: Occurrence[] = [];
  const add = (file: string, ident: A.Ident, target: Target) => {
    if (!ident.name || byIdent.has(ident)) return;
    const o = { file, ident, target };
    byIdent.set(ident, o);
    all.push(o);
  };
  const self = (ident: A.Ident, kind: Target['kind'], type?: string, owner?: string) =>
    add(file, ident, { file, span: ident.span, name: ident.name, kind, type, owner });
  if (d.kind !== 'Goal') {
    self(d.name, declKindWord(d));
    switch (d.kind) {
      case 'Enum':
        for (const c of d.cases) self(c, 'enumCase', d.name.name, d.name.name);
        break;
      case 'Struct':
        for (const f of d.fields) self(f.name, 'field', typeRefText(f.type), d.name.name);
        break;
      case 'Prompt':
        for (const x of d.params) self(x.name, 'param', typeRefText(x.type), d.name.name);
        break;
      case 'Sim':
        simNames(file, d, add);
        break;
    }
  }
  // Uses in dataset-side code, as the checker resolved them (a declaration's check writes references for its own
  // identifiers only).
  const refs = a.result.ctx.references;
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    const o = x as Record<string, unknown>;
    if (o['kind'] === 'Ident') {
      const r = refs.get(o as unknown as A.Ident);
      const t = r ? checkerTarget(a, o as unknown as A.Ident, r) : undefined;
      if (t) add(file, o as unknown as A.Ident, t);
      return;
    }
    for (const k in o) if (k !== 'span' && k !== 'keyword') visit(o[k]);
  };
  visit(d);
  const idx: DeclIndex = { byIdent, all, session: a.session, stamp: stamp ?? -1 };
  if (stamp !== undefined) declIndexes.set(d, idx);
  return idx;
}

const indexes = new WeakMap<Analysis, Occurrence[]>();

/** Every name of the analysis' program with what it refers to (the declarations' indexes, in program order). */
export function allNames(a: Analysis): Occurrence[] {
  const hit = indexes.get(a);
  if (hit) return hit;
  const all: Occurrence[] = [];
  const { program } = a.result;
  for (const p of program.order) for (const d of program.files.get(p)!.ast.decls) for (const o of declNames(a, p, d).all) all.push(o);
  indexes.set(a, all);
  return all;
}

/** Names inside a sim: params, states, rules, events and their fields, `let`s, neighbour binders. */
function simNames(file: string, sim: A.SimDecl, add: (file: string, ident: A.Ident, target: Target) => void): void {
  const owner = sim.name.name;
  const globals = new Map<string, Target>();
  const decl = (ident: A.Ident, kind: Target['kind'], type?: string): Target => {
    const t: Target = { file, span: ident.span, name: ident.name, kind, type, owner };
    add(file, ident, t);
    return t;
  };
  for (const v of sim.params) globals.set(v.name.name, decl(v.name, 'simParam', typeRefText(v.type)));
  for (const v of sim.states) globals.set(v.name.name, decl(v.name, 'simState', typeRefText(v.type)));
  const events = new Map<string, { t: Target; fields: Map<string, Target> }>();
  for (const e of sim.events) {
    const fields = new Map<string, Target>();
    const t = decl(e.name, 'event');
    for (const f of e.fields) fields.set(f.name.name, decl(f.name, 'eventField', typeRefText(f.type)));
    events.set(e.name.name, { t, fields });
  }
  const use = (ident: A.Ident, t: Target | undefined) => {
    if (t) add(file, ident, t);
  };
  const expr = (e: A.Expr | undefined, scope: Map<string, Target>, binder?: string): void => {
    if (!e) return;
    switch (e.kind) {
      case 'Name':
        if (e.name.name !== binder) use(e.name, scope.get(e.name.name));
        return;
      case 'Member':
        if (e.object.kind === 'Name' && binder && e.object.name.name === binder) {
          const st = sim.states.find((s) => s.name.name === e.member.name);
          if (st) use(e.member, globals.get(st.name.name));
          return;
        }
        expr(e.object, scope, binder);
        return;
      case 'Call':
        for (const x of e.args) expr(x, scope, binder);
        return;
      case 'Reduction': {
        const inner = new Map(scope);
        const bt: Target = { file, span: e.binder.span, name: e.binder.name, kind: 'binder', owner };
        add(file, e.binder, bt);
        expr(e.body, inner, e.binder.name);
        expr(e.where, inner, e.binder.name);
        expr(e.default, scope, binder);
        return;
      }
      case 'Unary':
        return expr(e.operand, scope, binder);
      case 'Binary':
        expr(e.left, scope, binder);
        expr(e.right, scope, binder);
        return;
      case 'Index':
        expr(e.object, scope, binder);
        expr(e.index, scope, binder);
        return;
      case 'Range':
        expr(e.low, scope, binder);
        expr(e.high, scope, binder);
        return;
      case 'Array':
        for (const x of e.items) expr(x, scope, binder);
        return;
      case 'Record':
        for (const en of e.entries) expr(en.value, scope, binder);
        return;
    }
  };
  const block = (b: A.Block, outer: Map<string, Target>): void => {
    const scope = new Map(outer);
    for (const s of b.stmts) stmt(s, scope);
  };
  const stmt = (s: A.Stmt, scope: Map<string, Target>): void => {
    switch (s.kind) {
      case 'Let':
        expr(s.value, scope);
        scope.set(s.name.name, decl(s.name, 'simLet', s.type ? typeRefText(s.type) : undefined));
        return;
      case 'Assign':
        use(s.target, scope.get(s.target.name));
        expr(s.value, scope);
        return;
      case 'If':
        expr(s.cond, scope);
        block(s.then, scope);
        if (s.else?.kind === 'If') stmt(s.else, scope);
        else if (s.else) block(s.else, scope);
        return;
      case 'Emit': {
        const ev = events.get(s.event.name);
        use(s.event, ev?.t);
        for (const en of s.fields.entries) {
          if (en.key.kind === 'Ident') use(en.key, ev?.fields.get(en.key.name));
          expr(en.value, scope);
        }
        return;
      }
    }
  };
  for (const v of [...sim.params, ...sim.states]) expr(v.init, globals);
  for (const r of sim.rules) {
    decl(r.name, 'rule');
    expr(r.when, globals);
    block(r.body, globals);
  }
  for (const o of sim.observes) for (const f of o.fields) use(f, globals.get(f.name));
  for (const c of sim.checks) expr(c.expr, globals);
}

/** The type of a sim value as a dataset sees it, for hover. */
export function simTypeForDataset(simType: string): string {
  return show(fromSimType(simType));
}

/** What the checker resolved a name to, as a Target. */
function checkerTarget(a: Analysis, ident: A.Ident, r: Resolution): Target | undefined {
  if (r.kind === 'builtin') return undefined;
  const { program, symbols } = a.result;
  const owner = program.files.has(r.file) ? r.declName : undefined;
  const decl = r.kind === 'decl' && r.declName ? symbols.get(r.declName) : undefined;
  const kind: Target['kind'] = decl && decl.decl.name.span.start === r.span.start && decl.file === r.file ? declKindWord(decl.decl) : r.kind === 'decl' ? 'event' : r.kind;
  return { file: r.file, span: r.span, name: ident.name, kind, type: r.type.k === 'unknown' ? undefined : show(r.type), owner };
}

/** The occurrence at an identifier of the analysed document, if it names something (from its declaration's index). */
export function resolveIdent(a: Analysis, ident: A.Ident): Occurrence | undefined {
  const d = declAt(a.source.ast, ident.span.start);
  if (!d || d.kind === 'Import') return undefined;
  return declNames(a, a.doc.path, d).byIdent.get(ident);
}

/**
 * Every occurrence (declaration and uses) of a target, across the program, in file and text order (the index's
 * own order follows the incremental checker's table, which depends on the edit history).
 */
export function occurrencesOf(a: Analysis, target: { file: string; span: A.Span }): Occurrence[] {
  const key = targetKey(target);
  return allNames(a)
    .filter((o) => targetKey(o.target) === key)
    .sort((x, y) => (x.file === y.file ? x.ident.span.start - y.ident.span.start : x.file < y.file ? -1 : 1));
}
