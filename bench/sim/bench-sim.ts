// Simulation throughput, in agent-steps per second, for generated code on both backends and for a
// hand-written JavaScript loop of the same simple rule set (the reference the generated CPU code is held to).
// Run (after `npm run build`, which the CPU workers and the GPU child need):
//   npx tsx bench/sim/bench-sim.ts            full sizes (up to 4M agents), best of 3 runs each
//   npx tsx bench/sim/bench-sim.ts --quick    small sizes
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { runCpu } from '../../runtime/sim/cpu.js';
import { closeGpuSession, runWebGpu } from '../../runtime/sim/gpu-host.js';

const quick = process.argv.includes('--quick');

const SIMPLE = (worlds: number, agents: number, steps: number) => `
sim walk {
  worlds ${worlds}
  agents ${agents}
  steps ${steps}
  param width: f32 = 100.0
  state x: f32 = uniform(0.0, 100.0)
  state v: f32 = uniform(-1.0, 1.0)
  rule move {
    x = x + v + uniform(-0.1, 0.1)
    if x < 0.0 { x = -x  v = -v } else if x > width { x = 2.0 * width - x  v = -v }
  }
}`;

const NEIGHBOUR = (worlds: number, agents: number, steps: number) => `
sim near {
  worlds ${worlds}
  agents ${agents}
  steps ${steps}
  state x: f32 = uniform(0.0, 100.0)
  state v: f32 = uniform(-1.0, 1.0)
  rule move {
    let gap = min(abs(o.x - x) for o in agents where o.x != x, default 100.0)
    x = x + select(v, -v, gap < 0.5)
  }
}`;

function stage(src: string): SimStage {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-bench-'));
  const f = path.join(dir, 'b.synth');
  writeFileSync(f, `goal "bench" { seed 1 }\n${src}\n`);
  const res = checkFile(f);
  if (res.hasErrors) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
  return Object.values(buildPlan(res).plan.sims)[0]!.stage as SimStage;
}

// ---- the hand-written reference: the simple rule set, SoA, f32, the same counter-based RNG ----
const imul = Math.imul;
const fround = Math.fround;
function mix(h: number) {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function rnd(seed: number, world: number, agent: number, step: number, site: number) {
  let h = mix((seed ^ imul(site + 1, 0x9e3779b9)) >>> 0);
  h = mix((h ^ world) >>> 0);
  h = mix((h + imul(agent, 0x27d4eb2d)) >>> 0);
  return mix((h ^ imul(step, 0x165667b1)) >>> 0);
}
function handWritten(worlds: number, agents: number, steps: number): number {
  const n = worlds * agents;
  const x = new Float32Array(n);
  const v = new Float32Array(n);
  for (let w = 0; w < worlds; w++)
    for (let a = 0; a < agents; a++) {
      const i = w * agents + a;
      x[i] = fround(0 + fround(100 * ((rnd(1, w, a, 0, 0) >>> 8) * 5.9604644775390625e-8)));
      v[i] = fround(-1 + fround(2 * ((rnd(1, w, a, 0, 1) >>> 8) * 5.9604644775390625e-8)));
    }
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let w = 0; w < worlds; w++) {
      for (let a = 0; a < agents; a++) {
        const i = w * agents + a;
        let xi = x[i]!;
        let vi = v[i]!;
        const noise = fround(-0.1 + fround(fround(0.2) * ((rnd(1, w, a, t, 2) >>> 8) * 5.9604644775390625e-8)));
        xi = fround(fround(xi + vi) + noise);
        if (xi < 0) {
          xi = -xi;
          vi = -vi;
        } else if (xi > 100) {
          xi = fround(200 - xi);
          vi = -vi;
        }
        x[i] = xi;
        v[i] = vi;
      }
    }
  }
  return performance.now() - t0;
}

/** The same loop without the per-step random draw: how much of an agent-step the counter-based RNG costs. */
function handWrittenNoRng(worlds: number, agents: number, steps: number): number {
  const n = worlds * agents;
  const x = new Float32Array(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (i * 37) % 100;
    v[i] = fround(((i * 13) % 200) / 100 - 1);
  }
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < n; i++) {
      let xi = x[i]!;
      let vi = v[i]!;
      xi = fround(fround(xi + vi) + 0.0625);
      if (xi < 0) {
        xi = -xi;
        vi = -vi;
      } else if (xi > 100) {
        xi = fround(200 - xi);
        vi = -vi;
      }
      x[i] = xi;
      v[i] = vi;
    }
  }
  return performance.now() - t0;
}

interface Row {
  set: string;
  worlds: number;
  agents: number;
  steps: number;
  backend: string;
  ms: number;
  agentStepsPerS: number;
}
const rows: Row[] = [];
function record(r: Omit<Row, 'agentStepsPerS'>) {
  const row = { ...r, agentStepsPerS: (r.worlds * r.agents * r.steps) / (r.ms / 1000) };
  rows.push(row);
  console.log(`${r.set.padEnd(10)} ${String(r.worlds * r.agents).padStart(9)} agents ${String(r.steps).padStart(4)} steps  ${r.backend.padEnd(14)} ${row.agentStepsPerS.toExponential(2)} agent-steps/s  (${r.ms.toFixed(0)} ms)`);
}

/** Best of REPS runs: the machine is shared, and the minimum is the least disturbed measurement. */
const REPS = quick ? 1 : 3;

async function main() {
  const simpleSizes: Array<[number, number, number]> = quick ? [[1024, 64, 50]] : [[1024, 64, 200], [8192, 64, 100], [65536, 64, 50]];
  const nearSizes: Array<[number, number, number]> = quick ? [[1024, 32, 10]] : [[2048, 32, 50], [32768, 32, 10], [131072, 32, 4]];
  let gpuOk = true;
  const sizes = [...simpleSizes.map((x) => ['simple', ...x] as const), ...nearSizes.map((x) => ['neighbour', ...x] as const)];
  for (const [set, w, a, s] of sizes) {
    const st = stage((set === 'simple' ? SIMPLE : NEIGHBOUR)(w, a, s));
    const best = new Map<string, number>();
    const keep = (k: string, ms: number) => best.set(k, Math.min(best.get(k) ?? Infinity, ms));
    for (let rep = 0; rep < REPS; rep++) {
      if (set === 'simple') {
        keep('hand-written JS', handWritten(w, a, s));
        keep('hand-written JS, no RNG', handWrittenNoRng(w, a, s));
      }
      for (const workers of [1, 2]) {
        const r = await runCpu(st, { workers });
        keep(`cpu ×${workers}`, Number(r.stats['stepMs']));
        keep(`cpu ×${workers} +setup`, Number(r.stats['ms']));
      }
      if (gpuOk) {
        try {
          const r = await runWebGpu(st, {});
          keep('webgpu', Number(r.stats['gpuMs']));
          keep('webgpu +setup', Number(r.stats['ms']));
        } catch (e) {
          gpuOk = false;
          console.log(`webgpu unavailable: ${(e as Error).message}`);
        }
      }
    }
    for (const [backend, ms] of best) record({ set, worlds: w, agents: a, steps: s, backend, ms });
  }
  console.log(JSON.stringify(rows));
  closeGpuSession();
}

void main();
