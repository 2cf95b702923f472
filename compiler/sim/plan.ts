// A sim's plan stage: its layout (columns, params, events, observations), the generated CPU kernel, and the
// generated WGSL modules (written next to plan.json by `synth build`).
import type { SimDecl } from '../../grammar/ast.js';
import { layoutOf, type SimLayout } from './layout.js';
import { generateJs } from './js.js';
import { generateWgsl } from './wgsl.js';

export interface SimStage {
  layout: SimLayout;
  /** the CPU kernel (compiler/sim/js.ts), kept in the plan so a run needs no compiler */
  js: string;
  /** the WebGPU program: module code and how to dispatch it */
  gpu: ReturnType<typeof generateWgsl>['program'];
  worlds: number;
}

export function buildSimStage(sim: SimDecl, opts: { seed: number; file?: string }): { stage: SimStage; wgsl: { name: string; code: string }[] } {
  const layout = layoutOf(sim, opts.seed, opts.file);
  const js = generateJs(sim, layout, opts.file);
  const { program, modules } = generateWgsl(sim, layout, opts.file);
  return { stage: { layout, js, gpu: program, worlds: layout.worlds }, wgsl: modules };
}
