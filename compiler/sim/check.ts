// PLACEHOLDER written by the lead so the main checker compiles: the simulation engineer replaces this file
// with the real `checkSim` (type checking of sim blocks). Keep the signature.
import type { SimDecl } from '../../grammar/ast.js';
import type { Diagnostic } from '../../grammar/diagnostics.js';

export function checkSim(_sim: SimDecl, _file: string): Diagnostic[] {
  return [];
}
