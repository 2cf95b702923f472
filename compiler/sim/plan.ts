// A sim's plan stage: its layout (columns, params, events, observations), the IR printed twice — the CPU
// kernel (JavaScript) and the WebGPU program (WGSL, also written next to plan.json by `synth build`) — and
// whether the two give bit-identical results on every backend.
import type { SimDecl } from '../../grammar/ast.js';
import { layoutOf, type SimLayout } from './layout.js';
import { lowerSim } from './lower.js';
import { generateJs } from './js.js';
import { generateWgsl } from './wgsl.js';

export interface SimStage {
  layout: SimLayout;
  /** the CPU kernel (compiler/sim/js.ts), kept in the plan so a run needs no compiler */
  js: string;
  /** the WebGPU program: module code and how to dispatch it */
  gpu: ReturnType<typeof generateWgsl>['program'];
  worlds: number;
  /**
   * What may make results differ between backends beyond the CPU and the tested driver (llvmpipe): empty when
   * the program is bit-identical on every backend. `synth merge` refuses shards of a program with any entry
   * made on different backends.
   */
  inexact: string[];
}

/**
 * The plan stage of a checked sim: its layout, the CPU kernel (JavaScript source) and the WebGPU program, plus
 * the WGSL modules to write next to plan.json.
 */
export function buildSimStage(sim: SimDecl, opts: { seed: number; file?: string }): { stage: SimStage; wgsl: { name: string; code: string }[] } {
  const layout = layoutOf(sim, opts.seed, opts.file);
  const { ir, inexact } = lowerSim(sim, layout, opts.file);
  const js = generateJs(ir, layout);
  const { program, modules } = generateWgsl(ir, layout);
  return { stage: { layout, js, gpu: program, worlds: layout.worlds, inexact }, wgsl: modules };
}
