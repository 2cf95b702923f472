// Placeholder until the Dawn runner lands: reports that no GPU backend is available (auto falls back to CPU).
import type { SimStage } from '../../compiler/sim/plan.js';
import { SynthError } from '../../grammar/diagnostics.js';
import type { SimResult } from './result.js';

export async function runWebGpu(_stage: SimStage, _opts: { worldRange?: [number, number] }): Promise<SimResult> {
  throw new SynthError('SYN6003', 'no WebGPU adapter');
}
