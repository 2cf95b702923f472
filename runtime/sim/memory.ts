// Refusing a sim that cannot run before it allocates: its estimated memory (compiler/sim/memory.ts) against
// the machine's (or the container's) memory, or a limit given with `synth run --max-memory`. A refusal is
// SYN6005 naming the sim and the figures; so is an allocation that fails anyway.
import { constrainedMemory, totalmem } from './os-memory.js';
import type { SimLayout } from '../../compiler/sim/layout.js';
import { formatBytes, simMemory, type MemoryOptions } from '../../compiler/sim/memory.js';
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
