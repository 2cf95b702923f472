// Runs a sim stage on the chosen backend. `auto` tries WebGPU (isolated in a child process) and falls back to
// the CPU backend with a one-line notice when no adapter is available or the driver fails.
import type { SimStage } from '../../compiler/sim/plan.js';
import { SynthError } from '../../base/diagnostics.js';
import { runCpu } from './cpu.js';
import type { SimResult } from './result.js';

export { simKeys, simRows, type SimResult, type SimRow } from './result.js';

export interface SimRunOptions {
  backend: 'cpu' | 'webgpu' | 'auto';
  workers?: number;
  onNotice?: (line: string) => void;
  worldRange?: [number, number];
}

export async function runSim(stage: unknown, opts: SimRunOptions): Promise<SimResult> {
  const s = stage as SimStage;
  if (!s || !s.layout || typeof s.js !== 'string') throw new SynthError('SYN5006', 'this plan has no runnable simulation stage; rebuild it with this version of synth');
  const range = opts.worldRange;
  if (opts.backend === 'cpu') return runCpu(s, { ...(opts.workers ? { workers: opts.workers } : {}), ...(range ? { worldRange: range } : {}) });
  const { runWebGpu } = await import('./gpu-host.js');
  try {
    return await runWebGpu(s, range ? { worldRange: range } : {});
  } catch (e) {
    if (opts.backend === 'webgpu' || !(e instanceof SynthError) || e.code !== 'SYN6003') throw e;
    opts.onNotice?.(`note: ${e.message.split('\n')[0]} — running simulation ${s.layout.name} on the CPU backend instead`);
    return runCpu(s, { ...(opts.workers ? { workers: opts.workers } : {}), ...(range ? { worldRange: range } : {}) });
  }
}
