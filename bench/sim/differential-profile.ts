// Where a generated differential program's time goes (bench/sim/differential.ts's loop, one program at a time,
// nothing overlapped): generating its source, check + lower + print (compileSim), the CPU run, and the WebGPU
// round trip, split by the GPU process into shader-module compile, pipeline creation, steps (submits and
// readbacks per chunk) and final readbacks; the rest of the round trip is IPC and decoding.
//   npm run build && npx tsx bench/sim/differential-profile.ts --programs 40 --seed 1000000
import { closeGpuSession } from '../../runtime/sim/gpu-host.js';
import { SimGenerator, printProgram } from '../../test/support/sim-gen.js';
import { compileSim, runOnCpu, runOnGpu } from '../../test/support/sim-diff.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const programs = arg('programs', 40);
  const seed0 = arg('seed', 1_000_000);
  // the device's start-up, not counted
  const warm = compileSim('sim w { worlds 1 agents 1 steps 1 state x: f32 = 1.0 rule r { x = x + 1.0 } }');
  if (!warm.ok) throw new Error(warm.errors.join('\n'));
  await runOnGpu(warm.stage);
  const t: Record<string, number> = { generate: 0, compile: 0, cpu: 0, gpuRoundTrip: 0, gpuModule: 0, gpuPipelines: 0, gpuSteps: 0, gpuReadback: 0, gpuTotal: 0 };
  let n = 0;
  const t0 = performance.now();
  for (let seed = seed0; n < programs; seed++) {
    let a = performance.now();
    const src = printProgram(new SimGenerator(seed).program());
    t['generate']! += performance.now() - a;
    a = performance.now();
    const c = compileSim(src);
    t['compile']! += performance.now() - a;
    if (!c.ok) continue;
    n++;
    a = performance.now();
    await runOnCpu(c.stage);
    t['cpu']! += performance.now() - a;
    a = performance.now();
    const g = await runOnGpu(c.stage);
    t['gpuRoundTrip']! += performance.now() - a;
    if (g.ok) for (const k of ['Module', 'Pipelines', 'Steps', 'Readback', 'Total']) t[`gpu${k}`]! += Number(g.result.stats[`gpu${k}Ms`] ?? 0);
  }
  const total = performance.now() - t0;
  const per = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, +(v / n).toFixed(1)]));
  console.log(JSON.stringify({ programs: n, msPerProgram: +(total / n).toFixed(1), breakdownMsPerProgram: per }));
  closeGpuSession();
}

void main();
