// What a simulation produces, backend-independent: event rows per event kind and trajectory rows, both in a
// canonical order — by world, then step, then agent (then emit site) — so a run split into world blocks
// (threads, shards) concatenates to exactly the unsplit result.
import type { SimLayout } from '../../compiler/sim/ir.js';
import { SynthError } from '../../base/diagnostics.js';

type Arr = Float32Array | Int32Array | Uint32Array | Uint8Array;

export interface Table {
  world: number[];
  agent: number[];
  step: number[];
  site: number[];
  /** one array per field (event fields, or observed columns) */
  fields: number[][];
}

export interface BlockData {
  w0: number;
  w1: number;
  events: Table[];
  traj: Table | null;
  finalState?: Arr[];
  /** time spent in the step loop */
  stepMs?: number;
}

export interface BlockResult extends BlockData {
  emit(ev: number, w: number, a: number, t: number, site: number, fields: number[]): void;
  observe(C: Arr[], step: number): void;
  overflowed(): boolean;
}

function table(nFields: number): Table {
  return { world: [], agent: [], step: [], site: [], fields: Array.from({ length: nFields }, () => []) };
}

export function blockResult(L: SimLayout, w0: number, w1: number): BlockResult {
  const events = L.events.map((e) => table(e.fields.length));
  const obsCols = L.observe ? L.observe.fields.flatMap((f) => L.columns.map((c, i) => (c.state === f ? i : -1)).filter((i) => i >= 0)) : [];
  const traj = L.observe ? table(obsCols.length) : null;
  let over = false;
  return {
    w0,
    w1,
    events,
    traj,
    emit(ev, w, a, t, site, fields) {
      const tb = events[ev]!;
      if (tb.world.length >= L.maxEvents) {
        over = true;
        return;
      }
      tb.world.push(w);
      tb.agent.push(a);
      tb.step.push(t);
      tb.site.push(site);
      for (let f = 0; f < fields.length; f++) tb.fields[f]!.push(fields[f]!);
    },
    observe(C, step) {
      const n = (w1 - w0) * L.agents;
      for (let i = 0; i < n; i++) {
        traj!.world.push(w0 + Math.floor(i / L.agents));
        traj!.agent.push(i % L.agents);
        traj!.step.push(step);
        traj!.site.push(0);
        for (let f = 0; f < obsCols.length; f++) traj!.fields[f]!.push(C[obsCols[f]!]![i]!);
      }
    },
    overflowed: () => over,
  };
}

export interface SimResult {
  layout: SimLayout;
  events: Table[];
  traj: Table | null;
  finalState: Arr[][];
  stats: Record<string, number | string>;
}

function sortTable(t: Table): Table {
  const n = t.world.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => t.world[a]! - t.world[b]! || t.step[a]! - t.step[b]! || t.agent[a]! - t.agent[b]! || t.site[a]! - t.site[b]!);
  const pick = (arr: number[]) => idx.map((i) => arr[i]!);
  return { world: pick(t.world), agent: pick(t.agent), step: pick(t.step), site: pick(t.site), fields: t.fields.map(pick) };
}

function concat(ts: Table[], nFields: number): Table {
  const out = table(nFields);
  for (const t of ts) {
    for (let i = 0; i < t.world.length; i++) {
      out.world.push(t.world[i]!);
      out.agent.push(t.agent[i]!);
      out.step.push(t.step[i]!);
      out.site.push(t.site[i]!);
      for (let f = 0; f < nFields; f++) out.fields[f]!.push(t.fields[f]![i]!);
    }
  }
  return out;
}

export function mergeBlocks(L: SimLayout, blocks: BlockData[]): SimResult {
  blocks.sort((a, b) => a.w0 - b.w0);
  const events = L.events.map((e, ei) => {
    const t = sortTable(concat(blocks.map((b) => b.events[ei]!), e.fields.length));
    if (t.world.length > L.maxEvents || blocks.some((b) => b.events[ei]!.world.length >= L.maxEvents)) {
      throw new SynthError(
        'SYN6001',
        `simulation ${L.name}: event '${e.name}' overflowed its buffer of ${L.maxEvents} rows; raise \`max_events\` in the sim (events are never dropped silently)`,
      );
    }
    return t;
  });
  const traj = L.observe ? sortTable(concat(blocks.map((b) => b.traj!), blocks[0]?.traj?.fields.length ?? 0)) : null;
  if (!L.nonFiniteOutputs) checkFiniteOutputs(L, events, traj);
  return { layout: L, events, traj, finalState: blocks.map((b) => b.finalState ?? []), stats: {} };
}

/**
 * Observed and emitted floats must be finite: a NaN or ±Infinity would otherwise reach a dataset (as `null` in
 * JSON, which a non-optional `float` field must never hold). Throws SYN6002 for the first one in the canonical
 * order (world, step, agent, emit site), so both backends and any split into world blocks name the same value.
 * `finite_outputs 0` in the sim turns this off.
 */
export function checkFiniteOutputs(L: SimLayout, events: Table[], traj: Table | null): void {
  let first: { row: number; table: Table; what: string; value: number } | undefined;
  const before = (t: Table, i: number, u: Table, j: number) =>
    t.world[i]! - u.world[j]! || t.step[i]! - u.step[j]! || t.agent[i]! - u.agent[j]! || t.site[i]! - u.site[j]! || 0;
  const scan = (t: Table, field: number, what: string) => {
    const col = t.fields[field]!;
    for (let i = 0; i < col.length; i++) {
      if (Number.isFinite(col[i]!)) continue;
      // the earliest in canonical order wins; within a row, the first field declared
      if (!first || before(t, i, first.table, first.row) < 0) first = { row: i, table: t, what, value: col[i]! };
      return;
    }
  };
  if (traj && L.observe) {
    const cols = L.observe.fields.flatMap((f) => L.columns.filter((c) => c.state === f));
    cols.forEach((c, k) => c.type === 'f32' && scan(traj, k, `observed field ${c.name}`));
  }
  L.events.forEach((e, ei) => e.fields.forEach((f, j) => f.type === 'f32' && scan(events[ei]!, j, `field ${f.name} of event '${e.name}'`)));
  if (!first) return;
  const t = first.table;
  const i = first.row;
  throw new SynthError(
    'SYN6002',
    `simulation ${L.name}: ${first.what} is ${first.value} in world ${t.world[i]}, agent ${t.agent[i]} at step ${t.step[i]} (observed and emitted values must be finite; \`finite_outputs 0\` in the sim lets them through)`,
  );
}

export type SimRow = Record<string, number | boolean | { x: number; y: number; z?: number; w?: number }>;

function rowsOf(L: SimLayout, t: Table, names: Array<{ name: string; type: string; cols: number[] }>): SimRow[] {
  const out: SimRow[] = new Array(t.world.length);
  for (let i = 0; i < t.world.length; i++) {
    const r: SimRow = { world: t.world[i]!, agent: t.agent[i]!, step: t.step[i]! };
    for (const f of names) {
      if (f.cols.length > 1) {
        const v: Record<string, number> = {};
        f.cols.forEach((c, k) => (v['xyzw'[k]!] = t.fields[c]![i]!));
        r[f.name] = v as SimRow[string];
      } else r[f.name] = f.type === 'bool' ? t.fields[f.cols[0]!]![i] !== 0 : t.fields[f.cols[0]!]![i]!;
    }
    out[i] = r;
  }
  void L;
  return out;
}

/** Plain rows `{ world, agent, step, ...fields }` of the trajectory, or of one event kind. */
export function simRows(result: SimResult, kind: 'trajectory' | 'event', event?: string): SimRow[] {
  const L = result.layout;
  if (kind === 'trajectory') {
    if (!result.traj || !L.observe) return [];
    let col = 0;
    const names = L.observe.fields.map((f) => {
      const cs = L.columns.filter((c) => c.state === f);
      const cols = cs.map(() => col++);
      return { name: f, type: cs[0]!.type, cols };
    });
    return rowsOf(L, result.traj, names);
  }
  const ei = L.events.findIndex((e) => e.name === event);
  if (ei < 0) return [];
  return rowsOf(L, result.events[ei]!, L.events[ei]!.fields.map((f, i) => ({ name: f.name, type: f.type, cols: [i] })));
}

/** Stable identities of the rows simRows returns (world/agent/step[/site]). */
export function simKeys(result: SimResult, kind: 'trajectory' | 'event', event?: string): string[] {
  const t = kind === 'trajectory' ? result.traj : result.events[result.layout.events.findIndex((e) => e.name === event)];
  if (!t) return [];
  return t.world.map((w, i) => `${w}/${t.agent[i]}/${t.step[i]}${kind === 'event' ? '/' + t.site[i] : ''}`);
}
