// Simulations enter the checker here: a `sim` block is checked by the simulation compiler's own checker
// (compiler/sim/check.ts: WGSL-like types, phases, constants), whose diagnostics join the program's.
import type * as A from '../../grammar/ast.js';
import { checkSim as checkSimBlock } from '../sim/check.js';
import type { CheckContext } from './context.js';

/** A `sim` block's diagnostics (compiler/sim/check.ts, cached per AST node there). */
export function checkSim(d: A.SimDecl, ctx: CheckContext): void {
  for (const x of checkSimBlock(d, ctx.file)) ctx.diagnostics.push(x); // not push(...): unbounded count
}
