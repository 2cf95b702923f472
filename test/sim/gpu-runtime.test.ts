// The WebGPU runner's own guarantees: per-step `check` failures worded exactly as on the CPU, a pipeline
// cache keyed by the WGSL's hash, dispatch past 65,535 workgroups, and the skip-or-fail rule for machines
// without an adapter.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { runCpu, SimInterrupted } from '../../runtime/sim/cpu.js';
import { runWebGpu } from '../../runtime/sim/gpu-host.js';
import { webgpuDecision, needWebGpu } from '../support/webgpu.js';

function stageOf(src: string): SimStage {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-gpu-'));
  const f = path.join(dir, 's.synth');
  writeFileSync(f, src);
  const res = checkFile(f);
  expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Object.values(buildPlan(res).plan.sims)[0]!.stage as SimStage;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('expected the run to fail');
}

describe('`check` failures stop both backends with the same message', () => {
  // Invariant: world 3, agent 4 (the fastest, 2.9 per step) is the first to reach 40, at step 13.
  // Finite: from step 300 x is multiplied by 1e30, so every agent overflows at step 301 (past the first chunk).
  const SRC = (check: string) => `sim s {
  worlds 4
  agents 5
  steps 600
  state x: f32 = 0.0
  state speed: f32 = 1.0 + f32(world * 5 + agent) * 0.1
  rule move { x = x * select(1.0, 1e30, step >= 300) + speed }
  ${check}
}`;

  it('an invariant (SYN6004)', async (ctx) => {
    const stage = stageOf(SRC('check x < 40.0'));
    const cpu = await failure(runCpu(stage, { workers: 1 }));
    expect(cpu).toEqual({ code: 'SYN6004', message: 'simulation s: `check x < 40.0` failed in world 3, agent 4 at step 13' });
    await needWebGpu(ctx, 'GPU invariant test');
    expect(await failure(runWebGpu(stage, {}))).toEqual(cpu);
  });

  it('`check finite` (SYN6002), past the first chunk of steps', async (ctx) => {
    const stage = stageOf(SRC('check finite'));
    const cpu = await failure(runCpu(stage, { workers: 1 }));
    expect(cpu.code).toBe('SYN6002');
    expect(cpu.message).toMatch(/^simulation s: state x became Infinity in world 0, agent 0 at step 301 \(`check finite`\)$/);
    await needWebGpu(ctx, 'GPU finite test');
    expect(await failure(runWebGpu(stage, {}))).toEqual(cpu);
  });
});

describe('WebGPU runner', () => {
  it('caches pipelines by the WGSL hash across runs', async (ctx) => {
    await needWebGpu(ctx, 'pipeline cache test');
    const stage = stageOf('sim c { worlds 2 agents 3 steps 4 state x: f32 = 0.0 rule r { x = x + 1.0 } }');
    const first = await runWebGpu(stage, {});
    const second = await runWebGpu(stage, {});
    expect(first.stats['pipelineCacheHits']).toBe(0);
    expect(second.stats['pipelineCacheHits']).toBe(2); // init and phase_1
    expect(Array.from(second.finalState[0]!)).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it('reads observations back in chunks and reassembles them in step order', async (ctx) => {
    await needWebGpu(ctx, 'observation chunk test');
    const stage = stageOf(`sim o {
  worlds 7
  agents 3
  steps 23
  state x: f32 = uniform(0.0, 1.0)
  state k: u32 = 0
  rule r { x = x + uniform(0.0, 1.0)
    k += 1 }
  observe every 2 { x, k }
}`);
    const cpu = await runCpu(stage, { workers: 1 });
    // one observation is 2 columns × 21 agents × 4 bytes = 168 bytes: a 400-byte budget holds 2 of them,
    // so chunks shrink to 3 steps and the 12 observations come back in 9 readbacks (168 bytes: 1-step chunks)
    for (const obsChunkBytes of [400, 168, 10_000]) {
      const gpu = await runWebGpu(stage, { obsChunkBytes });
      expect(gpu.traj!.steps).toEqual(cpu.traj!.steps);
      expect(gpu.traj!.fields.map((f) => Array.from(f))).toEqual(cpu.traj!.fields.map((f) => Array.from(f)));
    }
    expect(cpu.traj!.steps).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
  });

  it('dispatches more than 65,535 workgroups (a 2-D grid)', async (ctx) => {
    await needWebGpu(ctx, 'large dispatch test');
    // 2,099,200 worlds × 2 agents = 4,198,400 agents. The rule reads other agents, so its kernel keeps
    // workgroups of 64: 65,600 of them, more than one grid dimension allows.
    const stage = stageOf(`sim big {
  worlds 2_099_200
  agents 2
  steps 2
  state id: u32 = 0
  state hits: u32 = 0
  rule mark {
    id = world * 2 + agent
    hits += count(o.hits == hits for o in agents) / 2
  }
}`);
    expect(stage.gpu.workgroupSizes['phase_1']).toBe(64);
    expect(Math.ceil((2_099_200 * 2) / 64)).toBeGreaterThan(65_535);
    const r = await runWebGpu(stage, {});
    const id = r.finalState[0]! as Uint32Array;
    const hits = r.finalState[1]! as Uint32Array;
    expect(id.length).toBe(2_099_200 * 2);
    let wrong = 0;
    for (let i = 0; i < id.length; i++) if (id[i] !== i || hits[i] !== 2) wrong++;
    expect(wrong).toBe(0);
  });
});

describe('tests on a machine without WebGPU', () => {
  const none = { ok: false, detail: 'no WebGPU adapter' };
  it('are skipped with their reason', () => {
    expect(webgpuDecision('some test', none, {})).toEqual({ action: 'skip', reason: expect.stringMatching(/^some test: no WebGPU adapter \(no WebGPU adapter\); install Mesa/) });
  });
  it('fail where WebGPU is required (SYNTH_REQUIRE_WEBGPU=1, or CI)', () => {
    expect(webgpuDecision('some test', none, { SYNTH_REQUIRE_WEBGPU: '1' }).action).toBe('fail');
    expect(webgpuDecision('some test', none, { CI: 'true' }).action).toBe('fail');
  });
  it('run where an adapter is present', () => {
    expect(webgpuDecision('some test', { ok: true, detail: 'llvmpipe' }, { SYNTH_REQUIRE_WEBGPU: '1' }).action).toBe('run');
  });
  it('skip through vitest (a skip, never a pass) or throw', async () => {
    const { skipOrFail } = await import('../support/skip.js');
    const skipped: string[] = [];
    const ctx = { skip: ((note?: string) => { skipped.push(String(note)); throw new Error('skipped'); }) as never };
    expect(() => skipOrFail(ctx, 'no adapter', 'SYNTH_REQUIRE_WEBGPU', {})).toThrow('skipped');
    expect(skipped).toEqual(['no adapter']);
    expect(() => skipOrFail(ctx, 'no adapter', 'SYNTH_REQUIRE_WEBGPU', { SYNTH_REQUIRE_WEBGPU: '1' })).toThrow(/no adapter — required here \(SYNTH_REQUIRE_WEBGPU=1\)/);
    expect(skipped).toHaveLength(1);
  });
});

describe('steps done while a sim runs (the live progress line, issue #17)', () => {
  it('WebGPU: after each chunk of steps, in order, short of the end (the answer says the end)', async (ctx) => {
    await needWebGpu(ctx, 'GPU progress test');
    const stage = stageOf('sim p { worlds 3 agents 2 steps 23 state x: f32 = 0.0 rule r { x = x + 1.0 } observe every 2 { x } }');
    const seen: number[] = [];
    // one observation is 1 column × 6 agents × 4 bytes: a 48-byte budget holds 2, so chunks are 3 steps
    const r = await runWebGpu(stage, { obsChunkBytes: 48, onSteps: (n) => seen.push(n) });
    expect(seen).toEqual([3, 6, 9, 12, 15, 18, 21]);
    expect(Array.from(r.finalState[0]!)).toEqual([23, 23, 23, 23, 23, 23]);
  });

  for (const workers of [1, 3]) {
    it(`CPU (${workers} worker${workers > 1 ? 's' : ''}): rising step counts within the sim's length, while it runs`, async () => {
      // sized to take hours: the test stops it once it has heard a few reports (never after a timer)
      const steps = 16_000_000;
      const stage = stageOf(`sim p { worlds 6 agents 64 steps ${steps} state x: f32 = 0.0 rule r { x = x + 1.0 } }`);
      const seen: number[] = [];
      const run = runCpu(stage, { workers, onSteps: (n) => seen.push(n), stop: () => seen.length >= 3 });
      await expect(run).rejects.toBeInstanceOf(SimInterrupted);
      expect(seen.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
      expect(seen[0]!).toBeGreaterThan(0);
      expect(seen.at(-1)!).toBeLessThan(steps);
    }, 120_000);
  }
});
