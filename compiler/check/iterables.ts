// What a dataset's first `for x in ...` iterates over: a source's chunks, a table's rows, another dataset's
// written rows, a simulation's events of one kind, or its observed trajectory. Read by the dataset checker (the
// binder's type) and by the plan's lowering (the rows' origin). Later `for`s range over lists (for-clauses.ts).
import type * as A from '../../grammar/ast.js';
import { declKindWord, withArticle } from '../symbols.js';
import { T, fromSimType, show, type Ty } from '../types.js';
import type { CheckContext } from './context.js';
import { isTableDecl } from './sources.js';
import { containsImage } from './type-refs.js';

/** One item of an iterable: its record type and where the items come from (`decl`, and `event` for sim events). */
export interface IterableElement {
  type: Ty;
  kind: 'event' | 'trajectory' | 'source' | 'table' | 'dataset';
  decl: string;
  event?: string;
}

/** Why an expression cannot be iterated; `reportIterableProblem` turns it into a diagnostic. */
export type IterableProblem =
  | { problem: 'unknown'; name: string }
  | { problem: 'simulation'; sim: string }
  | { problem: 'unknown-event'; sim: string; name: string; events: string[] }
  | { problem: 'not-iterable'; what: string }
  /** a dataset whose output is not its rows (chat messages, a line per image) */
  | { problem: 'unreadable'; name: string; what: string }
  /** a table or dataset whose row type is no struct */
  | { problem: 'row-type'; what: string; type: string };

/** A chunk of a source document, as `for c in SOURCE` binds it. */
export const CHUNK_TYPE: Ty = {
  k: 'record',
  name: 'Chunk',
  fields: new Map<string, Ty>([
    ['text', T.string],
    ['path', T.string],
    ['index', T.int],
    ['tokens', T.int],
  ]),
};

/** The fields every sim event and trajectory row has besides its own. */
const SIM_ROW_FIELDS: Array<[string, Ty]> = [['world', T.int], ['agent', T.int], ['step', T.int]];

/**
 * The element of `for x in e`: `SOURCE` (CHUNK_TYPE), `SIM.EVENT` (the event's fields) or `SIM.trajectory` (the
 * observed states), each with world/agent/step for sims, or the problem with `e`. Records the references it
 * resolves in `ctx`.
 */
export function iterableElement(ctx: CheckContext, e: A.Expr): IterableElement | IterableProblem {
  if (e.kind === 'Name') {
    const sym = ctx.symbols.get(e.name.name);
    if (sym?.decl.kind === 'Source') {
      ctx.refer(e.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
      if (isTableDecl(sym.decl)) {
        const t = sym.decl.rowType ? (ctx.typeRefs.get(sym.decl.rowType) ?? T.unknown) : T.unknown;
        return { type: t, kind: 'table', decl: sym.name };
      }
      return { type: CHUNK_TYPE, kind: 'source', decl: sym.name };
    }
    if (sym?.decl.kind === 'Dataset') {
      ctx.refer(e.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
      return datasetRows(ctx, sym.decl);
    }
    if (sym?.decl.kind === 'Sim') return { problem: 'simulation', sim: sym.name };
    if (!sym) return { problem: 'unknown', name: e.name.name };
    return { problem: 'not-iterable', what: `'${sym.name}' (${withArticle(declKindWord(sym.decl))})` };
  }
  if (e.kind === 'Member' && e.object.kind === 'Name') {
    const sym = ctx.symbols.get(e.object.name.name);
    if (sym?.decl.kind === 'Sim') {
      const sim = sym.decl;
      ctx.refer(e.object.name, { file: sym.file, span: sim.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
      const m = e.member.name;
      if (m === 'trajectory') {
        const fields = new Map<string, Ty>(SIM_ROW_FIELDS);
        for (const o of sim.observes) {
          for (const f of o.fields) {
            const st = sim.states.find((s) => s.name.name === f.name);
            fields.set(f.name, st && st.type.kind === 'NamedType' ? fromSimType(st.type.name.name) : T.unknown);
          }
        }
        return { type: { k: 'record', name: `${sim.name.name}.trajectory`, fields }, kind: 'trajectory', decl: sim.name.name };
      }
      const ev = sim.events.find((x) => x.name.name === m);
      if (!ev) return { problem: 'unknown-event', sim: sim.name.name, name: m, events: [...sim.events.map((x) => x.name.name), 'trajectory'] };
      ctx.refer(e.member, { file: sym.file, span: ev.name.span, kind: 'decl', type: T.unknown, declName: sim.name.name });
      const fields = new Map<string, Ty>(SIM_ROW_FIELDS);
      for (const f of ev.fields) fields.set(f.name.name, f.type.kind === 'NamedType' ? fromSimType(f.type.name.name) : T.unknown);
      return { type: { k: 'record', name: `${sim.name.name}.${m}`, fields }, kind: 'event', decl: sim.name.name, event: m };
    }
  }
  return { problem: 'not-iterable', what: 'this expression' };
}

/**
 * The rows of dataset `d` as another dataset reads them: its row type, which must be a struct, and an output that
 * is one row per line (no `format chat`, no image fields).
 */
export function datasetRows(ctx: CheckContext, d: A.DatasetDecl): IterableElement | IterableProblem {
  const t = d.rowType ? (ctx.typeRefs.get(d.rowType) ?? T.unknown) : T.unknown;
  if (d.clauses.some((c) => c.kind === 'Format')) return { problem: 'unreadable', name: d.name.name, what: 'chat messages (`format chat`)' };
  if (t.k !== 'unknown' && containsImage(t, ctx)) return { problem: 'unreadable', name: d.name.name, what: 'a line per image' };
  if (t.k !== 'struct' && t.k !== 'unknown') return { problem: 'row-type', what: `dataset '${d.name.name}'`, type: show(t) };
  if (!d.rowType) return { problem: 'row-type', what: `dataset '${d.name.name}' (declare it: \`dataset ${d.name.name}: Struct\`)`, type: 'an undeclared row type' };
  return { type: t, kind: 'dataset', decl: d.name.name };
}

/** Is `r` a problem rather than an element? */
export function isIterableProblem(r: IterableElement | IterableProblem): r is IterableProblem {
  return 'problem' in r;
}

/** Reports problem `p` with the iterable `e` of a `for` clause. */
export function reportIterableProblem(ctx: CheckContext, e: A.Expr, p: IterableProblem): void {
  switch (p.problem) {
    case 'unknown':
      ctx.report('SYN1001', e.span, { what: 'source, dataset or simulation', name: p.name }, { ...ctx.suggest(e.span, p.name, ctx.symbols.namePool(['Source', 'Sim', 'Dataset'])), data: { name: p.name } });
      return;
    case 'unreadable':
      ctx.report('SYN3055', e.span, { name: p.name, what: p.what });
      return;
    case 'row-type':
      ctx.report('SYN3053', e.span, { what: p.what, type: p.type });
      return;
    case 'simulation':
      ctx.report('SYN3030', e.span, { sim: p.sim });
      return;
    case 'unknown-event': {
      const span = e.kind === 'Member' ? e.member.span : e.span;
      const s = ctx.suggest(span, p.name, p.events);
      ctx.report('SYN1012', span, { sim: p.sim, name: p.name }, { ...s, choices: p.events });
      return;
    }
    case 'not-iterable':
      ctx.report('SYN3029', e.span, { what: p.what });
  }
}
