// A sim lowered for execution: structure-of-arrays columns, params with their constant values, phases of
// rules, events and observations. Plain JSON (it goes into the plan); the code generators (js.ts, wgsl.ts)
// read this plus the typed AST.
import type * as A from '../../grammar/ast.js';
import { constNumber } from '../check/const-eval.js';
import { printExpr } from '../format.js';
import { analyzeSim } from './check.js';
import { concrete, isVec, vecSize, type SimType } from './types.js';

export type Scalar = 'f32' | 'i32' | 'u32' | 'bool';

export interface Column {
  /** column name: the state name, or `state.x` for a vector component */
  name: string;
  state: string;
  component: number;
  type: Scalar;
}

export interface SimLayout {
  name: string;
  worlds: number;
  agents: number;
  steps: number;
  seed: number;
  maxEvents: number;
  states: { name: string; type: SimType }[];
  columns: Column[];
  params: { name: string; type: SimType; value: number[] }[];
  events: { name: string; fields: { name: string; type: Scalar }[] }[];
  observe: { every: number; fields: string[] } | null;
  checkFinite: boolean;
  /** `finite_outputs 0`: observed and emitted f32 values may be NaN or ±Infinity (else SYN6006) */
  allowNonfinite: boolean;
  /** `check COND` invariants, as source text (for messages), in declaration order */
  invariants: string[];
}

export function scalarOf(t: SimType): Scalar {
  const c = concrete(t);
  return isVec(c) ? 'f32' : (c as Scalar);
}

export function layoutOf(sim: A.SimDecl, seed: number, file = ''): SimLayout {
  const setting = (k: string, def: number) => {
    const s = sim.settings.find((x) => x.key.name === k);
    return s ? (constNumber(s.value) ?? def) : def;
  };
  const { types } = analyzeSim(sim, file);
  const states = sim.states.map((s) => ({ name: s.name.name, type: (s.type.kind === 'NamedType' ? s.type.name.name : 'f32') as SimType }));
  const columns: Column[] = [];
  for (const s of states) {
    const n = vecSize(s.type);
    for (let c = 0; c < n; c++) columns.push({ name: isVec(s.type) ? `${s.name}.${'xyzw'[c]}` : s.name, state: s.name, component: c, type: scalarOf(s.type) });
  }
  const params = sim.params.map((p) => {
    const type = (p.type.kind === 'NamedType' ? p.type.name.name : 'f32') as SimType;
    return { name: p.name.name, type, value: p.init ? constValue(p.init, types) : [0] };
  });
  const worlds = setting('worlds', 1);
  const agents = setting('agents', 1);
  const observes = sim.observes;
  return {
    name: sim.name.name,
    worlds,
    agents,
    steps: setting('steps', 1),
    seed: setting('seed', seed) >>> 0,
    maxEvents: setting('max_events', Math.min(1 << 20, Math.max(4096, worlds * agents * 16))),
    states,
    columns,
    params,
    events: sim.events.map((e) => ({ name: e.name.name, fields: e.fields.map((f) => ({ name: f.name.name, type: scalarOf((f.type.kind === 'NamedType' ? f.type.name.name : 'f32') as SimType) })) })),
    observe: observes.length
      ? { every: Math.max(1, constNumber(observes[0]!.every) ?? 1), fields: [...new Set(observes.flatMap((o) => o.fields.map((f) => f.name)))] }
      : null,
    checkFinite: sim.checks.some((c) => c.expr.kind === 'Name' && c.expr.name.name === 'finite'),
    allowNonfinite: setting('finite_outputs', 1) === 0,
    invariants: invariantsOf(sim).map((c) => printExpr(c.expr)),
  };
}

/** Params are constants: fold their initialiser (numbers, bools, vector constructors, arithmetic). */
function constValue(e: A.Expr, types: Map<A.Expr, SimType>): number[] {
  if (e.kind === 'Bool') return [e.value ? 1 : 0];
  if (e.kind === 'Call' && /^vec[234]f$/.test(e.callee.name)) {
    const n = Number(e.callee.name[3]);
    const parts = e.args.map((a) => constNumber(a) ?? 0);
    return parts.length === 1 ? new Array(n).fill(parts[0]) : parts;
  }
  if (e.kind === 'Call' && ['f32', 'i32', 'u32'].includes(e.callee.name)) return [constNumber(e.args[0]!) ?? 0];
  void types;
  return [constNumber(e) ?? 0];
}

/** The `check COND` invariants of a sim (`check finite` is a flag, not an invariant). */
export function invariantsOf(sim: A.SimDecl): A.SimCheck[] {
  return sim.checks.filter((c) => !(c.expr.kind === 'Name' && c.expr.name.name === 'finite'));
}
