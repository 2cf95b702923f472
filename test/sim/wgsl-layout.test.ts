// Every generated WGSL module is reflected with wgsl_reflect; the buffer layout the compiler and the GPU
// runner assume (BINDINGS, entry points, the Frame uniform) must be exactly what the code declares.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
// Under Node 20 the package's main entry exports nothing to ESM: import the module build.
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { BINDINGS } from '../../compiler/sim/wgsl.js';
import { ROOT } from '../support/examples.js';

const FILES = [...['walk', 'sir', 'flock', 'queue', 'herd'].map((n) => `test/sim/fixtures/${n}.synth`), 'examples/traffic/traffic.synth', 'examples/support-queue/support-queue.synth'];

describe('generated WGSL layout', () => {
  for (const f of FILES) {
    it(`matches the compiler's layout: ${path.basename(f)}`, () => {
      const { plan, wgsl } = buildPlan(checkFile(path.join(ROOT, f)));
      for (const sim of Object.values(plan.sims)) {
        const stage = sim.stage as SimStage;
        const code = wgsl.get(sim.wgsl[0]!)!;
        expect(code).toBe(stage.gpu.module);
        const r = new WgslReflect(code);
        const storage = r.storage.map((s) => ({ binding: s.binding, group: s.group, name: s.name, access: s.access, element: (s.type as { format?: { name: string } }).format?.name }));
        const want = BINDINGS.filter((b) => b.kind === 'storage').map((b) => ({ binding: b.binding, group: 0, name: b.name, access: b.access, element: b.element }));
        expect(storage).toEqual(want);
        const u = r.uniforms[0]!;
        const ub = BINDINGS.find((b) => b.kind === 'uniform')!;
        expect({ binding: u.binding, name: u.name, size: u.size }).toEqual({ binding: ub.binding, name: ub.name, size: 16 });
        expect((u.members ?? []).map((m) => m.name)).toEqual([...('members' in ub ? ub.members : [])]);
        expect(r.entry.compute.map((e) => e.name)).toEqual([...stage.gpu.phases.map((p) => p.entry), ...(stage.gpu.checks ? [stage.gpu.checks] : [])]);
        // every column the layout lists is named in the header comment, in order
        stage.layout.columns.forEach((c, i) => expect(code).toContain(`//   ${i}: ${c.name} (${c.type})`));
      }
    });
  }
});
