// The IR validator (compiler/sim/validate.ts): every node of a lowered sim has operand types both printers
// print as one operation. A node that breaks it is SYN9002 when the plan is built, never WGSL that does not
// compile on one backend (adv12 #2: a u32 negation) and wrapped arithmetic on the other.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimIR } from '../../compiler/sim/ir.js';
import { validateIR } from '../../compiler/sim/validate.js';
import { compileSim, runOnCpu } from '../support/sim-diff.js';
import { SimGenerator, printProgram } from '../support/sim-gen.js';
import { needWebGpu } from '../support/webgpu.js';
import { runSim } from '../../runtime/sim/run.js';
import { SynthError } from '../../base/diagnostics.js';

const REG = path.join(import.meta.dirname, 'regressions');

describe('the IR validator', () => {
  it('rejects a u32 negation, mixed arithmetic and a call of the wrong types', () => {
    const u: SimIR['init'][0]['value'] = { k: 'var', ty: 'u32', scope: 'state', name: 'n' };
    const f: SimIR['init'][0]['value'] = { k: 'const', ty: 'f32', v: [1] };
    const ir: SimIR = {
      init: [
        { state: 'n', ty: 'u32', value: { k: 'neg', ty: 'u32', a: u } },
        { state: 'n', ty: 'u32', value: { k: 'arith', ty: 'u32', op: 'add', a: u, b: f } },
        { state: 'x', ty: 'f32', value: { k: 'call', ty: 'f32', fn: 'x_nothing', args: [f] } },
      ],
      phases: [],
      invariants: [],
      lib: [],
    };
    const problems = validateIR(ir);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/initialiser of n: neg of u32: only f32, vectors and i32 can be negated/);
    expect(problems[1]).toMatch(/arith add of u32 has operands of u32, f32/);
    expect(problems[2]).toMatch(/not in the library/);
  });

  it('negated selects of literals used as u32 (adv12 #2) lower to i32 arithmetic converted, with i32 values', async () => {
    const c = compileSim(readFileSync(path.join(REG, 'negated-select-as-u32.synth'), 'utf8'));
    if (!c.ok) throw new Error(c.errors.join('\n'));
    // no u32 negation reaches the WGSL: every negation is of an i32 select
    const code = JSON.stringify(c.stage.gpu);
    expect(code).not.toMatch(/-select\(65536u/);
    const cpu = await runOnCpu(c.stage);
    if (!cpu.ok) throw new Error(cpu.message);
    const col = (name: string) => Array.from(cpu.result.finalState[c.stage.layout.columns.findIndex((x) => x.name === name)]!);
    const u = (x: number) => x >>> 0;
    // agent 0: b true → 7; agent 1: 65536
    expect(col('n')).toEqual([u(-7), u(-65536)]);
    expect(col('m')).toEqual([u(-8), u(-65537)]);
    expect(col('k')).toEqual([u(-6), u(-3)]);
  });

  it('holds on 400 generated programs (lowering throws SYN9002 otherwise)', () => {
    let checked = 0;
    for (let seed = 900_001; checked < 400; seed++) {
      const c = compileSim(printProgram(new SimGenerator(seed).program()));
      if (!c.ok) {
        expect(c.errors.join('\n'), `seed ${seed}`).not.toMatch(/SYN9002/);
        continue;
      }
      checked++;
    }
    expect(checked).toBe(400);
  });
});

describe('WGSL the driver rejects is a bug in Synth (SYN9002), said on one line', () => {
  const broken = () => {
    const c = compileSim(readFileSync(path.join(REG, 'negated-select-as-u32.synth'), 'utf8'));
    if (!c.ok) throw new Error(c.errors.join('\n'));
    // what the printer once wrote (adv12 #2), and a second problem: two compiler messages, one line
    c.stage.gpu.module += '\nfn was_printed(x: u32) -> u32 { return -x; }\nfn also_bad() -> u32 { return 1.5; }\n';
    return c.stage;
  };

  it('--backend webgpu: SYN9002 naming the sim and the compiler messages, no newline', async (ctx) => {
    await needWebGpu(ctx, 'a WGSL compile failure');
    const e = await runSim(broken(), { backend: 'webgpu' }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(SynthError);
    expect((e as SynthError).code).toBe('SYN9002');
    expect((e as SynthError).message).toMatch(/^the WebGPU \(WGSL\) code Synth generated for simulation g is invalid \(error at \d+:\d+: .*operator - \(u32\).*\); this is a bug in Synth/);
    expect((e as SynthError).message).not.toMatch(/\n/);
  });

  it('--backend auto: runs on the CPU and says why, with the code, on one line', async (ctx) => {
    await needWebGpu(ctx, 'a WGSL compile failure');
    const notes: string[] = [];
    const r = await runSim(broken(), { backend: 'auto', onNotice: (l) => notes.push(l) });
    expect(r.stats.backend).toBe('cpu');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^note: SYN9002: the WebGPU \(WGSL\) code .* bug in Synth.* — running simulation g on the CPU backend instead$/);
    expect(notes[0]).not.toMatch(/\n/);
  });
});
