// How much memory a sim needs, estimated from its layout before anything is allocated: `synth build` prints it,
// the language server shows it on hover, and `synth run` refuses a sim that would not fit (runtime/sim/memory.ts)
// instead of failing half-way with "Array buffer allocation failed" or growing without bound.
import type { SimLayout } from './layout.js';

export interface MemoryPart {
  name: string;
  bytes: number;
  /** how the figure is made up, e.g. `32,768 agents × 4 columns × 4 B × 2 (state and snapshot)` */
  detail: string;
}

export interface SimMemory {
  /** bytes, all parts together */
  total: number;
  parts: MemoryPart[];
}

/**
 * What one row costs when a dataset reads the sim's rows (`for r in SIM.trajectory`, `for e in SIM.EVENT`):
 * `runtime/sim/result.ts` simRows makes a plain object `{ world, agent, step, ...fields }` per row (a vector
 * field a nested `{ x, y, … }`), and simKeys a key string `world/agent/step[/site]`, both held in arrays.
 * Measured in V8 (Node 20, 64-bit, no pointer compression) by heap growth over 409,600 rows, then rounded up:
 * a row with 1-3 fields took 144 B, 5 f32 fields 231 B, 8 fields 304 B, 12 fields 391 B (each f32 a boxed
 * double); a vec2f field added 71 B, a vec4f field 112 B; a key 32 B. The model below is within 10% above
 * each of those figures: an estimate close to an upper bound for rows of this shape, not a proof.
 */
export const ROW_OBJECT_BYTES = 136;
/** a scalar field: its slot and a boxed double */
export const ROW_FIELD_BYTES = 24;
/** a vector field: its slot, the nested object's header, and 16 B per component */
export const ROW_VECTOR_BYTES = 56;
export const ROW_COMPONENT_BYTES = 16;
/** a key string (world/agent/step[/site], up to 24 characters) and the two array slots (row, key) */
export const ROW_KEY_BYTES = 40 + 16;

/** Bytes one row object, its key and its slots take, for a row with fields of these component counts (1 = scalar). */
export function rowBytes(components: number[]): number {
  return ROW_OBJECT_BYTES + ROW_KEY_BYTES + components.reduce((a, c) => a + (c > 1 ? ROW_VECTOR_BYTES + ROW_COMPONENT_BYTES * c : ROW_FIELD_BYTES), 0);
}

export interface MemoryOptions {
  /** worlds this run simulates (a shard): default all */
  worlds?: number;
  backend?: 'cpu' | 'webgpu';
  /** datasets read these tables as rows: `trajectory` and/or event names */
  rows?: string[];
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

/** The memory a run of the sim needs: state (and the snapshot the reductions read), observations, events, rows. */
export function simMemory(L: SimLayout, o: MemoryOptions = {}): SimMemory {
  const worlds = o.worlds ?? L.worlds;
  const n = worlds * L.agents;
  const gpu = o.backend === 'webgpu';
  const parts: MemoryPart[] = [];
  const colBytes = (type: string) => (type === 'bool' && !gpu ? 1 : 4);
  const stateRow = L.columns.reduce((a, c) => a + colBytes(c.type), 0);
  parts.push({ name: 'state', bytes: n * stateRow * 2, detail: `${fmtInt(n)} agents × ${stateRow} B × 2 (state and the snapshot reductions read)` });
  if (L.observe) {
    const obs = Math.floor(L.steps / L.observe.every) + 1;
    const per = L.observe.fields.reduce((a, f) => a + L.columns.filter((c) => c.state === f).reduce((b, c) => b + colBytes(c.type), 0), 0);
    // the WebGPU backend holds the observations twice for a moment: read back in the GPU process, then decoded
    parts.push({ name: 'observations', bytes: n * obs * per * (gpu ? 2 : 1), detail: `${fmtInt(n)} agents × ${fmtInt(obs)} observations × ${per} B${gpu ? ' × 2 (read back, then decoded)' : ''}` });
  }
  if (L.events.length) {
    const row = L.events.reduce((a, e) => a + 16 + 4 * e.fields.length, 0);
    parts.push({ name: 'events', bytes: L.maxEvents * row, detail: `up to ${fmtInt(L.maxEvents)} rows (max_events) × ${row} B over ${L.events.length} event kind${L.events.length > 1 ? 's' : ''}` });
  }
  for (const table of o.rows ?? []) {
    if (table === 'trajectory' && L.observe) {
      const rows = n * (Math.floor(L.steps / L.observe.every) + 1);
      const per = rowBytes(L.observe.fields.map((f) => L.columns.filter((c) => c.state === f).length));
      parts.push({ name: 'trajectory rows', bytes: rows * per, detail: `${fmtInt(rows)} rows × about ${per} B (object, fields, key) for the datasets that read them` });
    } else {
      const e = L.events.find((x) => x.name === table);
      if (!e) continue;
      const per = rowBytes(e.fields.map(() => 1));
      parts.push({ name: `${table} rows`, bytes: L.maxEvents * per, detail: `up to ${fmtInt(L.maxEvents)} rows × about ${per} B (object, fields, key)` });
    }
  }
  return { total: parts.reduce((a, p) => a + p.bytes, 0), parts };
}

/** 1536 → "1.5 KiB" (binary units, as memory is sized). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let u = 0;
  let x = n;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)} ${units[u]}`;
}

/** "8GiB", "500 MB", "1.5g", "unlimited" → bytes (Infinity for unlimited); undefined when unreadable. */
export function parseBytes(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (t === 'unlimited' || t === 'none') return Infinity;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)?$/.exec(t);
  if (!m) return undefined;
  const pow = ' kmgtp'.indexOf(m[2] || ' ');
  const base = m[3] === 'b' && m[2] ? 1000 : 1024;
  return Math.round(Number(m[1]) * base ** pow);
}
