// What a simulation produces, backend-independent, as typed arrays (4 bytes a value, no JS number arrays):
// event rows per event kind, sorted into the canonical order — by world, then step, then agent, then emit
// site — and the trajectory, whose rows are in that order by construction, so a run split into world blocks
// (threads, shards) gives exactly the unsplit result.
//
// Also here, because both backends must word them identically: SYN6001 (an event buffer overflowed: the first
// event kind, in declaration order, whose rows over the whole run exceed `max_events`) and SYN6006 for a
// NaN or infinite value in an observation or an event field (unless the sim says `finite_outputs 0`).
import type { SimLayout } from '../../compiler/sim/layout.js';
import { synthError } from '../../base/diagnostics.js';

export type Column = Float32Array | Int32Array | Uint32Array | Uint8Array;

/** Event rows of one kind, in canonical order. */
export interface EventTable {
  world: Uint32Array;
  agent: Uint32Array;
  step: Uint32Array;
  site: Uint32Array;
  /** one column per event field */
  fields: Column[];
}

/**
 * Observations of worlds [w0, w0 + worlds): row r is world w0 + ⌊r / (S·A)⌋, step steps[⌊r / A⌋ mod S],
 * agent r mod A, where S = steps.length and A = agents. One column per observed state column.
 */
export interface Trajectory {
  w0: number;
  worlds: number;
  agents: number;
  steps: number[];
  fields: Column[];
}

export interface SimResult {
  layout: SimLayout;
  events: EventTable[];
  traj: Trajectory | null;
  /** the state after the last step, one column per layout column, for the run's worlds */
  finalState: Column[];
  stats: Record<string, number | string>;
}

/** A typed column for values of a scalar type, in shared memory when threads write it. */
export function column(type: string, n: number, shared = false): Column {
  const bytes = type === 'bool' ? 1 : 4;
  const buf = shared ? new SharedArrayBuffer(n * bytes) : new ArrayBuffer(n * bytes);
  switch (type) {
    case 'f32':
      return new Float32Array(buf);
    case 'i32':
      return new Int32Array(buf);
    case 'bool':
      return new Uint8Array(buf);
    default:
      return new Uint32Array(buf);
  }
}

/** The steps at which a sim observes: 0, then every K-th step. */
export function observedSteps(L: SimLayout): number[] {
  if (!L.observe) return [];
  const out: number[] = [];
  for (let s = 0; s <= L.steps; s += L.observe.every) out.push(s);
  return out;
}

/** Layout column indices of the observed fields, in observation order. */
export function observedColumns(L: SimLayout): number[] {
  return L.observe ? L.observe.fields.flatMap((f) => L.columns.map((c, i) => (c.state === f ? i : -1)).filter((i) => i >= 0)) : [];
}

/** An empty trajectory for worlds [w0, w1), in shared memory so worker threads fill their own worlds' rows. */
export function allocTrajectory(L: SimLayout, w0: number, w1: number, shared: boolean): Trajectory | null {
  if (!L.observe) return null;
  const steps = observedSteps(L);
  const rows = (w1 - w0) * L.agents * steps.length;
  return { w0, worlds: w1 - w0, agents: L.agents, steps, fields: observedColumns(L).map((c) => column(L.columns[c]!.type, rows, shared)) };
}

/**
 * Copies observation number `s` of the state columns `C` (worlds [0, worlds) of a block, agent-major within
 * each world) into a block's trajectory columns, at the rows canonical order puts them.
 */
export function observeInto(fields: Column[], cols: number[], C: Column[], s: number, S: number, worlds: number, A: number): void {
  cols.forEach((c, k) => {
    const src = C[c]!;
    const dst = fields[k]!;
    for (let wi = 0; wi < worlds; wi++) dst.set(src.subarray(wi * A, (wi + 1) * A), (wi * S + s) * A);
  });
}

// ---------------------------------------------------------------- events

/** Events of one block of worlds, as they are emitted: up to `max_events` rows per kind stored, all counted. */
export interface BlockEvents {
  kinds: { rows: number; world: Uint32Array; agent: Uint32Array; step: Uint32Array; site: Uint32Array; fields: Column[] }[];
  /** rows emitted per kind (more than stored when a buffer overflowed) */
  emitted: number[];
}

export function blockEvents(L: SimLayout): BlockEvents & { emit(ev: number, w: number, a: number, t: number, site: number, fields: number[]): void } {
  const cap0 = 64;
  const kinds = L.events.map((e) => ({ rows: 0, world: new Uint32Array(cap0), agent: new Uint32Array(cap0), step: new Uint32Array(cap0), site: new Uint32Array(cap0), fields: e.fields.map((f) => column(f.type, cap0)) }));
  const emitted = L.events.map(() => 0);
  const grow = <T extends Column>(a: T, n: number): T => {
    const b = new (a.constructor as new (n: number) => T)(n);
    b.set(a);
    return b;
  };
  return {
    kinds,
    emitted,
    emit(ev, w, a, t, site, fields) {
      emitted[ev]!++;
      const k = kinds[ev]!;
      if (k.rows >= L.maxEvents) return; // counted, not stored: the run fails with SYN6001 at its end
      if (k.rows === k.world.length) {
        const n = Math.min(L.maxEvents, k.rows * 2);
        k.world = grow(k.world, n);
        k.agent = grow(k.agent, n);
        k.step = grow(k.step, n);
        k.site = grow(k.site, n);
        k.fields = k.fields.map((f) => grow(f, n));
      }
      const r = k.rows++;
      k.world[r] = w;
      k.agent[r] = a;
      k.step[r] = t;
      k.site[r] = site;
      for (let f = 0; f < fields.length; f++) k.fields[f]![r] = fields[f]!;
    },
  };
}

/** The block's events trimmed to their rows (what a worker thread sends back). */
export function trimEvents(b: BlockEvents): BlockEvents {
  return {
    emitted: [...b.emitted],
    kinds: b.kinds.map((k) => ({ rows: k.rows, world: k.world.slice(0, k.rows), agent: k.agent.slice(0, k.rows), step: k.step.slice(0, k.rows), site: k.site.slice(0, k.rows), fields: k.fields.map((f) => f.slice(0, k.rows)) })),
  };
}

/** The blocks' events in canonical order; SYN6001 when a kind's rows over the whole run exceed `max_events`. */
export function mergeEvents(L: SimLayout, blocks: BlockEvents[]): EventTable[] {
  L.events.forEach((e, ei) => {
    const total = blocks.reduce((a, b) => a + b.emitted[ei]!, 0);
    if (total > L.maxEvents) {
      throw synthError('SYN6001', { sim: L.name, event: e.name, emitted: total, capacity: L.maxEvents });
    }
  });
  return L.events.map((e, ei) => {
    const parts = blocks.map((b) => b.kinds[ei]!);
    const n = parts.reduce((a, p) => a + p.rows, 0);
    const cat = (get: (p: BlockEvents['kinds'][number]) => Column, proto: Column): Column => {
      const out = new (proto.constructor as new (n: number) => Column)(n);
      let at = 0;
      for (const p of parts) {
        out.set(get(p).subarray(0, p.rows), at);
        at += p.rows;
      }
      return out;
    };
    const t: EventTable = {
      world: cat((p) => p.world, new Uint32Array(0)) as Uint32Array,
      agent: cat((p) => p.agent, new Uint32Array(0)) as Uint32Array,
      step: cat((p) => p.step, new Uint32Array(0)) as Uint32Array,
      site: cat((p) => p.site, new Uint32Array(0)) as Uint32Array,
      fields: e.fields.map((f, fi) => cat((p) => p.fields[fi]!, column(f.type, 0))),
    };
    return sortEvents(t);
  });
}

/** Rows sorted by world, step, agent, site (a stable sort of an index permutation, then a gather). */
export function sortEvents(t: EventTable): EventTable {
  const n = t.world.length;
  let sorted = true;
  const key = (i: number, j: number) => t.world[i]! - t.world[j]! || t.step[i]! - t.step[j]! || t.agent[i]! - t.agent[j]! || t.site[i]! - t.site[j]!;
  for (let i = 1; i < n && sorted; i++) if (key(i - 1, i) > 0) sorted = false;
  if (sorted) return t;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort(key);
  const pick = <T extends Column>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(n);
    for (let i = 0; i < n; i++) out[i] = a[idx[i]!]!;
    return out;
  };
  return { world: pick(t.world), agent: pick(t.agent), step: pick(t.step), site: pick(t.site), fields: t.fields.map(pick) };
}

// ---------------------------------------------------------------- non-finite outputs (SYN6006)

/**
 * Unless the sim allows it, a NaN or infinite f32 in an observation or an event field stops the run. The value
 * named is the earliest (step, world, agent) one, then the first table (event kinds in declaration order, then
 * the trajectory) and field: the same on every backend, which compute the same tables.
 */
export function checkFiniteOutputs(r: SimResult): void {
  const L = r.layout;
  if (L.allowNonfinite) return;
  let best: { step: number; world: number; agent: number; order: number; what: string; value: number } | undefined;
  const better = (step: number, world: number, agent: number, order: number): boolean => {
    if (!best) return true;
    const d = [step - best.step, world - best.world, agent - best.agent, order - best.order].find((x) => x !== 0);
    return d !== undefined && d < 0;
  };
  let order = 0;
  L.events.forEach((e, ei) => {
    const t = r.events[ei]!;
    e.fields.forEach((f, fi) => {
      const o = order++;
      if (f.type !== 'f32') return;
      const col = t.fields[fi]!;
      for (let i = 0; i < col.length; i++) {
        const v = col[i]!;
        if (v - v !== 0 && better(t.step[i]!, t.world[i]!, t.agent[i]!, o)) best = { step: t.step[i]!, world: t.world[i]!, agent: t.agent[i]!, order: o, what: `field ${f.name} of event '${e.name}'`, value: v };
      }
    });
  });
  if (r.traj && L.observe) {
    const T = r.traj;
    const S = T.steps.length;
    observedColumns(L).forEach((c, k) => {
      const o = order++;
      if (L.columns[c]!.type !== 'f32') return;
      const col = T.fields[k]!;
      for (let i = 0; i < col.length; i++) {
        const v = col[i]!;
        if (v - v !== 0) {
          const world = T.w0 + Math.floor(i / (S * T.agents));
          const step = T.steps[Math.floor(i / T.agents) % S]!;
          const agent = i % T.agents;
          if (better(step, world, agent, o)) best = { step, world, agent, order: o, what: `observed field ${L.columns[c]!.name}`, value: v };
        }
      }
    });
  }
  if (best) {
    throw synthError('SYN6006', { sim: L.name, what: best.what, value: String(best.value), world: best.world, agent: best.agent, step: best.step });
  }
}

// ---------------------------------------------------------------- rows for datasets

export type SimRow = Record<string, number | boolean | { x: number; y: number; z?: number; w?: number }>;

interface FieldSpec {
  name: string;
  type: string;
  cols: number[];
}

function fieldValue(f: FieldSpec, fields: Column[], i: number): SimRow[string] {
  if (f.cols.length > 1) {
    const v: Record<string, number> = {};
    f.cols.forEach((c, k) => (v['xyzw'[k]!] = fields[c]![i]!));
    return v as SimRow[string];
  }
  const x = fields[f.cols[0]!]![i]!;
  return f.type === 'bool' ? x !== 0 : x;
}

function trajSpecs(L: SimLayout): FieldSpec[] {
  let col = 0;
  return (L.observe?.fields ?? []).map((f) => {
    const cs = L.columns.filter((c) => c.state === f);
    return { name: f, type: cs[0]!.type, cols: cs.map(() => col++) };
  });
}

/** Plain rows `{ world, agent, step, ...fields }` of the trajectory, or of one event kind (vectors as `{ x, y, ... }`). */
export function simRows(result: SimResult, kind: 'trajectory' | 'event', event?: string): SimRow[] {
  const L = result.layout;
  if (kind === 'trajectory') {
    const T = result.traj;
    if (!T || !L.observe) return [];
    const specs = trajSpecs(L);
    const S = T.steps.length;
    const n = T.worlds * S * T.agents;
    const out: SimRow[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r: SimRow = { world: T.w0 + Math.floor(i / (S * T.agents)), agent: i % T.agents, step: T.steps[Math.floor(i / T.agents) % S]! };
      for (const f of specs) r[f.name] = fieldValue(f, T.fields, i);
      out[i] = r;
    }
    return out;
  }
  const ei = L.events.findIndex((e) => e.name === event);
  if (ei < 0) return [];
  const t = result.events[ei]!;
  const specs = L.events[ei]!.fields.map((f, i) => ({ name: f.name, type: f.type, cols: [i] }));
  const out: SimRow[] = new Array(t.world.length);
  for (let i = 0; i < t.world.length; i++) {
    const r: SimRow = { world: t.world[i]!, agent: t.agent[i]!, step: t.step[i]! };
    for (const f of specs) r[f.name] = fieldValue(f, t.fields, i);
    out[i] = r;
  }
  return out;
}

/** Stable identities of the rows simRows returns (world/agent/step[/site]). */
export function simKeys(result: SimResult, kind: 'trajectory' | 'event', event?: string): string[] {
  if (kind === 'trajectory') {
    const T = result.traj;
    if (!T) return [];
    const S = T.steps.length;
    const n = T.worlds * S * T.agents;
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = `${T.w0 + Math.floor(i / (S * T.agents))}/${i % T.agents}/${T.steps[Math.floor(i / T.agents) % S]}`;
    return out;
  }
  const t = result.events[result.layout.events.findIndex((e) => e.name === event)];
  if (!t) return [];
  const out: string[] = new Array(t.world.length);
  for (let i = 0; i < t.world.length; i++) out[i] = `${t.world[i]}/${t.agent[i]}/${t.step[i]}/${t.site[i]}`;
  return out;
}

/** How many rows simRows would give, without making them. */
export function simRowCount(result: SimResult, kind: 'trajectory' | 'event', event?: string): number {
  if (kind === 'trajectory') return result.traj ? result.traj.worlds * result.traj.steps.length * result.traj.agents : 0;
  return result.events[result.layout.events.findIndex((e) => e.name === event)]?.world.length ?? 0;
}
