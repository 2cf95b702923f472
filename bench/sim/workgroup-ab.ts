// A/B of the WebGPU workgroup size on the simple rule set: the compiler's per-kernel sizes (256 for kernels
// that read only their own agent) against 64 everywhere, interleaved, best of 4. Run after `npm run build`:
//   npx tsx bench/sim/workgroup-ab.ts
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { closeGpuSession, runWebGpu } from '../../runtime/sim/gpu-host.js';
const mk = (W: number, A: number, S: number) => `goal "b" { seed 1 }
sim walk {
  worlds ${W}
  agents ${A}
  steps ${S}
  param width: f32 = 100.0
  state x: f32 = uniform(0.0, 100.0)
  state v: f32 = uniform(-1.0, 1.0)
  rule move {
    x = x + v + uniform(-0.1, 0.1)
    if x < 0.0 { x = -x  v = -v } else if x > width { x = 2.0 * width - x  v = -v }
  }
}`;
for (const [W, A, S] of [[8192, 64, 100], [65536, 64, 50]] as const) {
  const dir = mkdtempSync(path.join(tmpdir(), 'p-'));
  const f = path.join(dir, 'b.synth'); writeFileSync(f, mk(W, A, S));
  const st = Object.values(buildPlan(checkFile(f)).plan.sims)[0]!.stage as SimStage;
  const narrow: SimStage = { ...st, gpu: { ...st.gpu, workgroupSizes: {} } };
  const best = { wide: Infinity, narrow: Infinity };
  for (let r = 0; r < 4; r++) {
    best.narrow = Math.min(best.narrow, Number((await runWebGpu(narrow, {})).stats['gpuMs']));
    best.wide = Math.min(best.wide, Number((await runWebGpu(st, {})).stats['gpuMs']));
  }
  console.log(`${W * A} agents: WG 64 ${((W * A * S) / (best.narrow / 1000)).toExponential(2)}, WG 256 ${((W * A * S) / (best.wide / 1000)).toExponential(2)}`);
}
closeGpuSession();
