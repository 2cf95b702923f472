// The same sims on the CPU backend (generated JavaScript) and the WebGPU backend (generated WGSL via Dawn):
// identical random draws, identical event counts, trajectories within the f32 tolerance of the built-ins.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { runCpu } from '../../runtime/sim/cpu.js';
import { runWebGpu } from '../../runtime/sim/gpu-host.js';
import { simRows, type SimResult } from '../../runtime/sim/result.js';
import { ROOT } from '../support/examples.js';
import { needWebGpu } from '../support/webgpu.js';

const FIXTURES = ['walk', 'sir', 'flock', 'queue', 'herd'].map((n) => path.join(ROOT, 'test/sim/fixtures', `${n}.synth`));
FIXTURES.push(path.join(ROOT, 'examples/traffic/traffic.synth'));

function stagesOf(file: string): SimStage[] {
  const res = checkFile(file);
  expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  // Fewer worlds keep the test quick; worlds are independent, so this tests the same code paths.
  return Object.values(buildPlan(res).plan.sims).map((s) => {
    const st = s.stage as SimStage;
    st.layout.worlds = Math.min(st.layout.worlds, 96);
    return st;
  });
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (d > m || Number.isNaN(d)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

describe('CPU backend', () => {
  for (const f of FIXTURES) {
    it(`is deterministic and thread-count independent: ${path.basename(f)}`, async () => {
      for (const stage of stagesOf(f)) {
        const one = await runCpu(stage, { workers: 1 });
        const two = await runCpu(stage, { workers: 2 });
        expect(two.events.map((e) => e.world.length)).toEqual(one.events.map((e) => e.world.length));
        expect(JSON.stringify(two.events)).toBe(JSON.stringify(one.events));
        expect(two.traj?.fields.map((f) => Array.from(f))).toEqual(one.traj?.fields.map((f) => Array.from(f)));
        expect(two.finalState.map((f) => Array.from(f))).toEqual(one.finalState.map((f) => Array.from(f)));
      }
    });
  }
});

describe('CPU and WebGPU backends agree', () => {
  for (const f of FIXTURES) {
    it(path.basename(f), async (ctx) => {
      await needWebGpu(ctx, 'CPU/WebGPU differential test');
      for (const stage of stagesOf(f)) {
        const cpu: SimResult = await runCpu(stage, { workers: 1 });
        const gpu: SimResult = await runWebGpu(stage, {});
        const L = stage.layout;
        // identical event counts (these sims are not chaotic at f32 tolerance)
        expect(gpu.events.map((e) => e.world.length)).toEqual(cpu.events.map((e) => e.world.length));
        for (let e = 0; e < L.events.length; e++) {
          expect(gpu.events[e]!.world).toEqual(cpu.events[e]!.world);
          expect(gpu.events[e]!.step).toEqual(cpu.events[e]!.step);
          expect(gpu.events[e]!.site).toEqual(cpu.events[e]!.site);
        }
        // trajectories within tolerance; step-0 observations of uniform draws are bit-identical
        if (cpu.traj) {
          expect(gpu.traj!.steps).toEqual(cpu.traj.steps);
          cpu.traj.fields.forEach((col, k) => expect(maxRelDiff(gpu.traj!.fields[k]!, col)).toBeLessThan(1e-3));
        }
        // final state, column by column
        L.columns.forEach((c, ci) => {
          const a = gpu.finalState[ci]!;
          const b = cpu.finalState[ci]!;
          if (c.type === 'f32') expect(maxRelDiff(a, b), `${L.name}.${c.name}`).toBeLessThan(1e-3);
          else expect(Array.from(a), `${L.name}.${c.name}`).toEqual(Array.from(b));
        });
      }
    });
  }

  it('gives identical rows for the traffic example (draws are laundered past the GPU compiler)', async (ctx) => {
    await needWebGpu(ctx, 'traffic identity test');
    // traffic's speed = normal(25.0, 5.0) differed in the last bit until draws were made opaque to Mesa's
    // reassociation; every other value in this sim is one operation per statement, so all rows are identical.
    const [stage] = stagesOf(FIXTURES[5]!);
    const cpu = await runCpu(stage!, { workers: 1 });
    const gpu = await runWebGpu(stage!, {});
    expect(cpu.events[0]!.world.length).toBeGreaterThan(100);
    expect(JSON.stringify(simRows(gpu, 'event', 'crash'))).toBe(JSON.stringify(simRows(cpu, 'event', 'crash')));
    expect(JSON.stringify(simRows(gpu, 'trajectory'))).toBe(JSON.stringify(simRows(cpu, 'trajectory')));
  });

  it('draws identical normal numbers on both backends', async (ctx) => {
    await needWebGpu(ctx, 'RNG identity test');
    const [stage] = stagesOf(FIXTURES[2]!); // flock: vel = vec2f(normal(0.0, 1.0), normal(0.0, 1.0)), observed at step 0
    const cpu = await runCpu(stage!, { workers: 1 });
    const gpu = await runWebGpu(stage!, {});
    const n = stage!.layout.worlds * stage!.layout.agents;
    // rows are ordered by world, step, agent: pick the step-0 rows (the initialisers' draws)
    const T = cpu.traj!;
    const at0 = (col: ArrayLike<number>) => Float32Array.from(Array.from(col).filter((_, r) => T.steps[Math.floor(r / T.agents) % T.steps.length] === 0));
    expect(gpu.traj!.steps).toEqual(cpu.traj!.steps);
    for (const k of [2, 3]) {
      const a = at0(cpu.traj!.fields[k]!);
      const b = at0(gpu.traj!.fields[k]!);
      expect(a.length).toBe(n);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
      // and they are normal: mean ≈ 0, variance ≈ 1 over 768 draws
      const mean = a.reduce((x, y) => x + y, 0) / n;
      const v = a.reduce((x, y) => x + (y - mean) ** 2, 0) / n;
      expect(Math.abs(mean)).toBeLessThan(0.15);
      expect(Math.abs(v - 1)).toBeLessThan(0.2);
    }
  });

  it('draws identical uniform numbers on both backends', async (ctx) => {
    await needWebGpu(ctx, 'RNG identity test');
    const [stage] = stagesOf(FIXTURES[0]!); // walk: x and v are uniform draws, observed at step 0
    const cpu = await runCpu(stage!, { workers: 1 });
    const gpu = await runWebGpu(stage!, {});
    const n = stage!.layout.worlds * stage!.layout.agents;
    // the first world's step-0 rows are the first A rows; every world's step-0 rows are the initialisers' draws
    const T = cpu.traj!;
    const at0 = (col: ArrayLike<number>) => Float32Array.from(Array.from(col).filter((_, r) => Math.floor(r / T.agents) % T.steps.length === 0));
    for (const k of [0, 1]) {
      const a = at0(cpu.traj!.fields[k]!);
      const b = at0(gpu.traj!.fields[k]!);
      expect(a.length).toBe(n);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    }
  });
});

describe('generated WGSL', () => {
  it('is readable: names from the source and a comment per rule', () => {
    const res = checkFile(path.join(ROOT, 'examples/traffic/traffic.synth'));
    const { wgsl } = buildPlan(res);
    const code = [...wgsl.values()][0]!;
    expect(code).toContain('// phase 1: rule drive');
    expect(code).toContain('s_speed');
    expect(code).toContain('P_limit');
    void readFileSync;
  });
});

describe('the differential harness over several GPU processes', () => {
  it('gives every program the outcome it gets one at a time, and still catches a GPU result that differs', async (ctx) => {
    await needWebGpu(ctx, 'differential harness over GPU processes');
    const { SimGenerator, printProgram } = await import('../support/sim-gen.js');
    const { diffMany, diffProgram, difference, compileSim, runOnCpu } = await import('../support/sim-diff.js');
    const sources = Array.from({ length: 24 }, (_, i) => printProgram(new SimGenerator(77_000 + i).program()));
    const pooled = new Map<string, string>();
    const valid = await diffMany(sources, (src, o) => void pooled.set(src, o.kind), { gpuProcesses: 3 });
    expect(valid).toBeGreaterThan(8);
    for (const src of sources) expect(pooled.get(src), src).toBe((await diffProgram(src)).kind);
    // what the pool compares is the whole result: one changed bit of the GPU's final state is a mismatch
    const c = compileSim(sources.find((s) => pooled.get(s) === 'agree')!);
    if (!c.ok) throw new Error(c.errors.join('\n'));
    const cpu = await runOnCpu(c.stage);
    const gpu = await runOnCpu(c.stage);
    if (!gpu.ok) throw new Error(gpu.message);
    const col = gpu.result.finalState[0]!;
    const bits = new Uint32Array(col.buffer, col.byteOffset, 1);
    bits[0] = bits[0]! ^ 1;
    expect(difference(c.stage, cpu, gpu)).toMatch(/^final /);
  }, 300_000);
});
