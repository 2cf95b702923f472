// Refusing a run that cannot fit before it allocates: its estimated memory (compiler/sim/memory.ts) against
// the machine's (or the container's) memory, or a limit given with `synth run --max-memory`. Each sim alone
// (SYN6005, naming the sim), then the run as a whole (SYN6010): every sim a run reads stays in memory until the
// run ends, with the rows made of it, beside the output buffers. An allocation that fails anyway is SYN6005.
import type { MemoryEstimate } from '../../compiler/plan/estimate.js';
import { constrainedMemory, totalmem } from './os-memory.js';
import type { SimLayout } from '../../compiler/sim/layout.js';
import { formatBytes, simMemory, type MemoryOptions, type SimMemory } from '../../compiler/sim/memory.js';
import { REORDER_WINDOW_BYTES } from '../dataset/ordered-writer.js';
import { OUTPUT_BUFFER_BYTES } from '../dataset/byte-buffer.js';
import { synthError, type SynthError } from '../../base/diagnostics.js';

/** The machine's memory, or the container's limit when lower: what a run may use unless told otherwise. */
export function machineMemory(): number {
  const c = constrainedMemory();
  const t = totalmem();
  return c > 0 && c < t ? c : t;
}

/** Throws SYN6005 when the sim's estimate exceeds `limit` bytes (default: the machine's memory). */
export function ensureFits(L: SimLayout, o: MemoryOptions & { limit?: number }): void {
  const limit = o.limit ?? machineMemory();
  if (limit === Infinity) return;
  const m = simMemory(L, o);
  if (m.total <= limit) return;
  throw synthError('SYN6005', {
    sim: L.name,
    needed: formatBytes(m.total),
    parts: m.parts.filter((p) => p.bytes > 0).map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', '),
    available: o.limit === undefined ? `this machine's ${formatBytes(limit)}` : `the --max-memory limit of ${formatBytes(limit)}`,
  });
}

/** An allocation that failed despite the estimate (other processes, address space): SYN6005, not a stack trace. */
export function allocationFailed(L: SimLayout, e: unknown): SynthError | unknown {
  if (!(e instanceof RangeError)) return e;
  const m = simMemory(L);
  return synthError('SYN6005', {
    sim: L.name,
    needed: formatBytes(m.total),
    parts: m.parts.filter((p) => p.bytes > 0).map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', '),
    available: `what this process could allocate (${e.message})`,
  });
}

/** One sim a run reads, and how: its worlds (a shard's), the backend it may run on, the tables read as rows. */
export interface RunSim {
  layout: SimLayout;
  options: MemoryOptions;
}

/**
 * The memory a run holds at once (docs/simulations.md "Memory"): every sim it reads (simMemory: state and its
 * snapshot, observations, events, the rows datasets read, each table's rows made once), all alive together
 * since a sim's results are kept until the run ends, plus the output buffers of the one dataset being written
 * (its reorder window, REORDER_WINDOW_BYTES, and its write buffer). Not counted: Node and Synth themselves
 * (about 100 MiB), and rows a dataset keeps for the datasets that read it.
 */
export function runMemory(sims: RunSim[]): { total: number; sims: { name: string; memory: SimMemory }[]; buffers: number } {
  const list = sims.map((s) => ({ name: s.layout.name, memory: simMemory(s.layout, s.options) }));
  const buffers = REORDER_WINDOW_BYTES + OUTPUT_BUFFER_BYTES;
  return { total: list.reduce((a, s) => a + s.memory.total, 0) + buffers, sims: list, buffers };
}

/**
 * Throws SYN6005 when one sim alone exceeds `limit` bytes (default: the machine's memory), else SYN6010 when the
 * run as a whole (runMemory) does, naming the estimate and its parts. Call before anything is simulated.
 */
export function ensureRunFits(sims: RunSim[], limit?: number): void {
  const max = limit ?? machineMemory();
  if (max === Infinity) return;
  for (const s of sims) ensureFits(s.layout, { ...s.options, ...(limit !== undefined ? { limit } : {}) });
  const m = memoryEstimate(sims, limit);
  if (m.total <= max) return;
  throw synthError('SYN6010', { needed: formatBytes(m.total), parts: memoryParts(m), available: availableText(limit, max) });
}

/** `simulation a 12.0 MiB: state …, observations …; output buffers 32.3 MiB`: the parts of a run's estimate, as
 *  SYN6010 and `--dry-run` name them. */
export function memoryParts(m: MemoryEstimate): string {
  return [...m.sims.map((s) => `simulation ${s.name} ${formatBytes(s.total)}: ${s.parts.map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', ')}`), `output buffers ${formatBytes(m.buffers)}`].join('; ');
}

/** `this machine's 23.5 GiB` or `the --max-memory limit of 200 MiB`: what a run's estimate is held to. */
export function memoryLimitText(m: MemoryEstimate): string {
  return availableText(m.limitedBy === 'machine' ? undefined : m.available, m.available);
}

/** The run's memory estimate as the dry run reports it (runMemory, with the limit `ensureRunFits` applies). */
export function memoryEstimate(sims: RunSim[], limit?: number): MemoryEstimate {
  const m = runMemory(sims);
  return {
    total: m.total,
    sims: m.sims.map((s) => ({ name: s.name, total: s.memory.total, parts: s.memory.parts.filter((p) => p.bytes > 0).map((p) => ({ name: p.name, bytes: p.bytes })) })),
    buffers: m.buffers,
    available: limit ?? machineMemory(),
    limitedBy: limit === undefined ? 'machine' : 'max-memory',
  };
}

function availableText(limit: number | undefined, max: number): string {
  return limit === undefined ? `this machine's ${formatBytes(max)}` : `the --max-memory limit of ${formatBytes(max)}`;
}
