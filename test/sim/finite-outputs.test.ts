// Observed and emitted floats must be finite (a dataset would write NaN/±Infinity as null): both backends stop
// with the same SYN6006 naming the field, world, agent and step, the first in canonical order; `finite_outputs 0`
// lets them through.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { runCpu } from '../../runtime/sim/cpu.js';
import { runWebGpu } from '../../runtime/sim/gpu-host.js';
import { needWebGpu } from '../support/webgpu.js';

function stageOf(src: string): SimStage {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-finite-'));
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

// Each agent divides by zero at the step equal to its k (a random 1…4): which one is first depends on the draws.
const SRC = (extra = '', observe = 'observe every 1 { x }', emit = true) => `sim s {
  worlds 4
  agents 3
  steps 6${extra}
  state k: u32 = randint(1, 4)
  state x: f32 = 1.0
  rule go {
    x = 1.0 / (f32(k) - f32(step))
    if x > 1e30 || x < -1e30 {
      ${emit ? 'emit spike { v: x * 2.0, w: world }' : 'x = x'}
    }
  }
  event spike { v: f32, w: u32 }
  ${observe}
}
`;

describe('finite outputs', () => {
  it('an observed Infinity: SYN6006 with field, world, agent and step, the same on both backends', async (ctx) => {
    const stage = stageOf(SRC('', 'observe every 1 { x }', false));
    const cpu = await failure(runCpu(stage, { workers: 2 }));
    expect(cpu.code).toBe('SYN6006');
    expect(cpu.message).toMatch(/^simulation s: observed field x is -?Infinity in world \d, agent \d at step \d \(observed and emitted values must be finite; `finite_outputs 0` in the sim lets them through\)$/);
    expect(await failure(runCpu(stage, { workers: 1 }))).toEqual(cpu); // any split into world blocks names the same one
    await needWebGpu(ctx, 'GPU finite outputs test');
    expect(await failure(runWebGpu(stage, {}))).toEqual(cpu);
  });

  it('an emitted Infinity: named by its event (it comes before the step that observes it)', async () => {
    const stage = stageOf(SRC());
    const cpu = await failure(runCpu(stage, { workers: 1 }));
    expect(cpu.message).toMatch(/^simulation s: field v of event 'spike' is -?Infinity in world \d, agent \d at step \d/);
  });

  it('`finite_outputs 0` lets them through', async () => {
    const r = await runCpu(stageOf(SRC('\n  finite_outputs 0')), { workers: 1 });
    expect(r.traj!.fields[0]!.some((v) => !Number.isFinite(v))).toBe(true);
  });
});
