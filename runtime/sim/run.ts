// Runs a sim stage on the chosen backend. `auto` tries WebGPU (isolated in a child process) and falls back to
// the CPU backend with a one-line notice when no adapter is available or the driver fails. Before either
// allocates, the sim's estimated memory is compared with what the machine has (SYN6005).
import type { SimStage } from '../../compiler/sim/plan.js';
import { SynthError, synthError, type DiagnosticCode } from '../../base/diagnostics.js';
import { runCpu } from './cpu.js';
import { ensureFits } from './memory.js';
import type { SimResult } from './result.js';

export { simKeys, simRowCount, simRows, type SimResult, type SimRow } from './result.js';
export { SimInterrupted } from './cpu.js';

export interface SimRunOptions {
  backend: 'cpu' | 'webgpu' | 'auto';
  workers?: number;
  onNotice?: (line: string) => void;
  worldRange?: [number, number];
  /** the tables datasets will read as rows (`trajectory`, event names): counted in the memory estimate */
  rows?: string[];
  /** bytes the run may need (default: the machine's memory; Infinity: no limit) */
  maxMemory?: number;
  /** Ctrl-C: a sim stops (CPU: its workers terminated; WebGPU: its process killed) and runSim rejects with SimInterrupted */
  interrupted?: () => boolean;
  /** progress for displays: steps done so far (0..steps; fractional on the CPU, where chunks of worlds advance in turn) */
  onSteps?: (steps: number) => void;
}

/** The WebGPU backend's own failures (not the spec's): with `--backend auto` the run falls back to the CPU. */
const GPU_FAILURES: ReadonlySet<DiagnosticCode> = new Set(['SYN6003', 'SYN6007', 'SYN6008', 'SYN6009']);

export async function runSim(stage: unknown, opts: SimRunOptions): Promise<SimResult> {
  const s = stage as SimStage;
  if (!s || !s.layout || typeof s.js !== 'string') throw synthError('SYN5010', {});
  const range = opts.worldRange;
  const worlds = range ? range[1] - range[0] : s.layout.worlds;
  const fits = (backend: 'cpu' | 'webgpu') => ensureFits(s.layout, { worlds, backend, ...(opts.rows ? { rows: opts.rows } : {}), ...(opts.maxMemory !== undefined ? { limit: opts.maxMemory } : {}) });
  const cpu = () => {
    fits('cpu');
    return runCpu(s, { ...(opts.workers ? { workers: opts.workers } : {}), ...(range ? { worldRange: range } : {}), ...(opts.interrupted ? { stop: opts.interrupted } : {}), ...(opts.onSteps ? { onSteps: opts.onSteps } : {}) });
  };
  if (opts.backend === 'cpu') return cpu();
  fits('webgpu');
  const { runWebGpu } = await import('./gpu-host.js');
  try {
    return await runWebGpu(s, { ...(range ? { worldRange: range } : {}), ...(opts.interrupted ? { stop: opts.interrupted } : {}), ...(opts.onSteps ? { onSteps: opts.onSteps } : {}) });
  } catch (e) {
    // a failure of the WebGPU backend (GPU_FAILURES), or WGSL of ours the driver rejected (SYN9002, a bug in
    // Synth): the CPU backend runs the same IR, so `auto` falls back — saying which, with the code, never silently
    if (opts.backend === 'webgpu' || !(e instanceof SynthError) || !(GPU_FAILURES.has(e.code) || e.code === 'SYN9002')) throw e;
    const reason = `${e.code}: ${e.message.replace(/\s*\n\s*/g, '; ')}`;
    opts.onNotice?.(`note: ${reason} — running simulation ${s.layout.name} on the CPU backend instead`);
    const res = await cpu();
    // the manifest says the sim fell back, and why (items.ts `simRecord`)
    res.stats['fallback'] = reason;
    return res;
  }
}
