// PLACEHOLDER written by the lead so the planner compiles: the simulation engineer replaces this file with
// the real `buildSimStage` (IR, layouts, WGSL). Keep the signature.
import type { SimDecl } from '../../grammar/ast.js';

export function buildSimStage(sim: SimDecl, opts: { seed: number }): { stage: unknown; wgsl: { name: string; code: string }[] } {
  return { stage: { placeholder: true, name: sim.name.name, seed: opts.seed }, wgsl: [] };
}
