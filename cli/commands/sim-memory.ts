// `synth check` and `synth build` say how much memory each sim needs to run (compiler/sim/memory.ts), so a size
// that cannot run is seen before `synth run` refuses it.
import type { CheckResult } from '../../compiler/check.js';
import type { SimDecl } from '../../grammar/ast.js';
import { layoutOf } from '../../compiler/sim/layout.js';
import { formatBytes, simMemory } from '../../compiler/sim/memory.js';

/** One line per sim: `sim traffic: about 5.2 MiB to run (state 1.0 MiB, observations 4.1 MiB, events 96 KiB)`. */
export function simMemoryLines(res: CheckResult): string[] {
  const out: string[] = [];
  for (const s of res.symbols.byName.values()) {
    if (s.decl.kind !== 'Sim') continue;
    const m = simMemory(layoutOf(s.decl as SimDecl, 0, s.file));
    out.push(`sim ${s.name}: about ${formatBytes(m.total)} to run (${m.parts.map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', ')})`);
  }
  return out;
}
