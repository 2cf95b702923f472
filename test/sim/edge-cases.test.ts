// Odd but valid sims: every one the checker accepts must run on the CPU, compile cleanly in Dawn (no WGSL
// error or warning) and agree with the GPU; every one it rejects must be rejected with a diagnostic, never
// reach code generation. These came from hunting for inputs that broke one layer or another.
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

const SIM = (body: string) =>
  `sim s {\n  worlds 3\n  agents 5\n  steps 4\n  state x: f32 = 1.0\n  state n: u32 = 0\n  state k: i32 = 0\n  state p: vec2f = vec2f(1.0, 2.0)\n${body}\n}\n`;

const VALID: Record<string, string> = {
  'a reduction in `when`': SIM('  rule r when count(o.x > 0.0 for o in agents) > 2 { x = x + 1.0 }'),
  'vector built-ins': SIM('  rule r { p = normalize(p) * 2.0 + vec2f(1.0)\n x = length(p) + dot(p, p) + distance(p, vec2f(0.0, 0.0)) }'),
  'vector negation, abs, min, select, sum': SIM('  rule r { p = select(abs(-p) + min(p, vec2f(0.5, 0.5)), sum(o.p for o in agents), x > 2.0) }'),
  'built-ins in initialisers': SIM('  state z: u32 = step + agent + world\n  rule r { z = z + step }'),
  'bool, i32 and u32 event fields': SIM('  rule r { emit e { b: x > 0.0, i: k, u: n } }\n  event e { b: bool, i: i32, u: u32 }'),
  'observing a vector': SIM('  rule r { p = p + vec2f(0.1, 0.1) }\n  observe every 2 { p, x }'),
  'f32, i32 and u32 remainders': SIM('  rule r { x = x % 0.7 + f32(k % 3) + f32(n % 2) }'),
  'integer division by zero at run time': SIM('  state z: i32 = 0\n  rule r { k = k / z + 7 / 2\n n = n / u32(z) }'),
  'integer mean, u32 min/max with defaults': SIM('  rule r { x = mean(o.k for o in agents) + f32(sum(o.n for o in agents))\n n = min(o.n for o in agents, default 5) + max(o.n for o in agents) }'),
  'an empty rule, and a rule that only runs late': SIM('  rule a { }\n  rule b when step > 2 { x = 0.0 }'),
  'no rules at all': SIM(''),
  'nested if / else if / else': SIM('  rule r { if x > 0.0 { if n == 0 { x = 1.0 } else if n == 1 { x = 2.0 } else { x = 3.0 } } }'),
  'vector, bool and u32 params': SIM('  param h: vec2f = vec2f(1.0, -2.0)\n  param hb: bool = true\n  param hu: u32 = 3\n  rule r { p = p + h\n n = select(n, hu, hb) }'),
  'float to int conversions': SIM('  rule r { k = i32(floor(x * 2.5)) + i32(ceil(-x)) + i32(1e10)\n n = u32(-1) }'),
  'every random draw': SIM('  state y: f32 = normal(3.0, 2.0)\n  rule r { x = uniform(0.0, 1.0) + normal(0.0, 1.0)\n k = randint(-5, 5)\n n = select(0, 1, bernoulli(0.5)) + randint(0, 10) }'),
  'a u32 constant beyond the i32 range': SIM('  rule r { n = 3000000000 }'),
  'a let shadowed in an inner block': SIM('  rule r { let y = 1.0\n if x > 0.0 { let y = 2.0\n x = y }\n x = x + y }'),
};

const INVALID: Record<string, string> = {
  'a vector compound assignment': SIM('  rule r { p += vec2f(1.0, 1.0) }'),
  'negating a u32': SIM('  rule r { n = -n }'),
  'a conditional that is a float': SIM('  rule r { x = !x }'),
  'a param read from state': SIM('  param q: f32 = x\n  rule r { x = x + q }'),
  'log of zero as a constant': SIM('  rule r { x = log(0.0) }'),
  'a param dividing by a zero param': SIM('  param z: f32 = 0.0\n  param o: f32 = 1.0\n  rule r { x = x + o / z }'),
};

function build(src: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-edge-'));
  const f = path.join(dir, 's.synth');
  writeFileSync(f, src);
  const res = checkFile(f);
  return { res, errors: res.diagnostics.filter((d) => d.severity === 'error') };
}

describe('odd but valid sims run the same on both backends', () => {
  for (const [what, src] of Object.entries(VALID)) {
    it(what, async (ctx) => {
      const { res, errors } = build(src);
      expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      const stage = Object.values(buildPlan(res).plan.sims)[0]!.stage as SimStage;
      const cpu = await runCpu(stage, { workers: 1 });
      await needWebGpu(ctx, 'edge-case differential test');
      const gpu = await runWebGpu(stage, {});
      expect(gpu.events.map((e) => e.world.length)).toEqual(cpu.events.map((e) => e.world.length));
      stage.layout.columns.forEach((c, ci) => {
        // bit-identical: every built-in is exact on both backends
        expect(Array.from(gpu.finalState[ci]!), c.name).toEqual(Array.from(cpu.finalState[ci]!));
      });
    });
  }
});

describe('sims that would break code generation are checker errors', () => {
  for (const [what, src] of Object.entries(INVALID)) {
    it(what, () => {
      expect(build(src).errors.length).toBeGreaterThan(0);
    });
  }
});
