import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { synth } from '../support/cli.js';
import { needWebGpu } from '../support/webgpu.js';

function check(src: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-sim-'));
  const f = path.join(dir, 's.synth');
  writeFileSync(f, src);
  return { f, dir, diags: checkFile(f).diagnostics };
}

const SIM = (body: string, extra = '') => `sim s {\n  worlds 4\n  agents 4\n  steps 10\n  state x: f32 = 0.0\n  state n: u32 = 0\n${body}\n}\n${extra}`;

describe('bad sims get checker errors, in Synth terms', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['a type error in a rule', SIM('  rule r { x = x + true }'), 'SYN2011', /needs numbers/],
    ['mixing f32 and u32', SIM('  rule r { x = x + n }'), 'SYN2020', /convert with f32/],
    ['writing an undeclared field', SIM('  rule r { speed = 1.0 }'), 'SYN1001', /unknown state field 'speed'/],
    ['assigning a param', SIM('  param k: f32 = 1.0\n  rule r { k = 2.0 }'), 'SYN3006', /'k' is a param/],
    ['a reduction outside a rule', SIM('  state m: f32 = max(o.x for o in agents)'), 'SYN3021', /only allowed inside a simulation rule/],
    ['an event field of the wrong type', SIM('  rule r { emit e { v: true } }\n  event e { v: f32 }'), 'SYN2001', /field v of event e must be f32, found bool/],
    ['an unknown event', SIM('  rule r { emit boom { v: 1.0 } }'), 'SYN1001', /unknown event 'boom'/],
    ['a non-bool condition', SIM('  rule r when x { x = 1.0 }'), 'SYN2028', /`when` takes a bool condition, found f32/],
    ['two rules writing one field in a phase', SIM('  rule a { x = 1.0 }\n  rule b { x = 2.0 }'), 'SYN3002', /written by rules 'a' and 'b'/],
    ['strings in a sim', SIM('  rule r { x = "fast" }'), 'SYN2021', /strings cannot be used/],
    ['a reduction over something else', SIM('  rule r { x = sum(o.x for o in worlds) }'), 'SYN3023', /range over `agents`/],
    ['a missing setting', 'sim s { agents 2 steps 3 }', 'SYN1005', /needs `worlds`/],
    ['a param drawn at random', SIM('  param k: f32 = uniform(0.0, 1.0)\n  rule r { x = x + k }'), 'SYN3026', /param k takes a constant/],
    ['a constant division by zero (a WGSL compile error otherwise)', SIM('  rule r { x = x + 1.0 / 0.0 }'), 'SYN3028', /divides by zero/],
    ['a constant outside a built-in\'s domain', SIM('  rule r { x = x + sqrt(-1.0) }'), 'SYN3028', /is NaN \(sqrt outside its domain\)/],
    ['a float literal beyond f32', SIM('  rule r { x = min(x, 1e39) }'), 'SYN3028', /Infinity in f32/],
    ['a constant i32 overflow', SIM('  param big: i32 = 2147483647\n  state k: i32 = 0\n  rule r { k = k + big * 2 }'), 'SYN3028', /outside the i32 range/],
    ['a let redeclared in one block', SIM('  rule r { let y = 1.0\n let y = 2.0\n x = y }'), 'SYN1009', /'y' is declared twice in this block/],
    ['a let shadowing a state', SIM('  rule r { let x = 2.0\n n = n + 1 }'), 'SYN1002', /'x' is already declared as a state of sim s/],
    ['a reduction in a check', SIM('  rule r { x = x + 1.0 }\n  check max(o.x for o in agents) < 9.0'), 'SYN3021', /only allowed inside a simulation rule/],
    ['a random draw in a check', SIM('  rule r { x = x + 1.0 }\n  check x < uniform(0.0, 9.0)'), 'SYN3025', /cannot draw random numbers/],
    // adv12 #1: these ran with exit 0 and gave wrong draws
    ['randint with constant bounds out of order', SIM('  state k: i32 = randint(5, 1)'), 'SYN3034', /randint: the low bound 5 is above the high bound 1/],
    ['randint with a param bound out of order', SIM('  param top: i32 = -3\n  state k: i32 = 0\n  rule r { k = randint(0, top) }'), 'SYN3034', /low bound 0 is above the high bound -3/],
    ['randint with a u32 bound used as an i32', SIM('  state k: i32 = randint(0, 4294967295)'), 'SYN2001', /must be i32, found u32/],
    ['randint with bounds no 32-bit type holds', SIM('  state k: i32 = randint(-1, 4294967295)'), 'SYN3028', /neither i32 nor u32/],
  ];
  for (const [what, src, code, msg] of cases) {
    it(what, () => {
      const { diags } = check(src);
      const d = diags.find((x) => x.code === code);
      expect(d, JSON.stringify(diags.map((x) => x.code + ' ' + x.message))).toBeDefined();
      expect(d!.message).toMatch(msg);
    });
  }
});

describe('runtime failures are clear messages', () => {
  it('event overflow (SYN6001)', () => {
    const { f } = check(SIM('  max_events 5\n  rule r { emit e { v: x } }\n  event e { v: f32 }', 'dataset d { for e in s.e row = { v: e.v } output "out/d.jsonl" }'));
    const r = synth(['run', f, '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SYN6001.*event 'e' overflowed its buffer \(160 emitted, capacity 5\); raise `max_events`/); // 16 agents × 10 steps
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('non-finite state under `check finite` (SYN6002)', () => {
    // (x + 1) * 1e30 overflows f32 at the second step
    const { f } = check(SIM('  rule r { x = (x + 1.0) * 1e30 }\n  check finite\n  observe every 1 { x }', 'dataset d { for r in s.trajectory row = { x: r.x } output "out/d.jsonl" }'));
    const r = synth(['run', f, '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SYN6002.*state x became Infinity in world 0, agent 0 at step 1/);
  });

  it('a GPU driver crash (SYN6009), and --backend auto falls back to the CPU with a notice', async (ctx) => {
    await needWebGpu(ctx, 'driver failure test');
    const { f } = check(SIM('  rule r { x = x + 1.0 }\n  observe every 5 { x }', 'dataset d { for r in s.trajectory row = { x: r.x } output "out/d.jsonl" }'));
    const crash = synth(['run', f, '--backend', 'webgpu'], { env: { SYNTH_GPU_FAULT: 'crash' } });
    expect(crash.code).toBe(2);
    expect(crash.stderr).toMatch(/SYN6009: the WebGPU process was killed by SIGSEGV \(driver failure\)/);
    const auto = synth(['run', f, '--backend', 'auto', '--fresh'], { env: { SYNTH_GPU_FAULT: 'crash' } });
    expect(auto.stderr).toMatch(/note: .*running simulation s on the CPU backend instead/);
    expect(auto.stderr).toContain('d: 48 rows'); // 16 agents × 3 observations (steps 0, 5, 10)
    expect(auto.code).toBe(0);
    // the manifest says what was asked for, what ran, and why it fell back
    const m = JSON.parse(readFileSync(path.join(path.dirname(f), 'out', 'd.manifest.json'), 'utf8')) as { sims: Record<string, { backend: string; requested: string; fallback?: string }> };
    expect(m.sims['s']).toMatchObject({ backend: 'cpu', requested: 'auto' });
    expect(m.sims['s']!.fallback).toMatch(/^SYN6009: the WebGPU process was killed by SIGSEGV/);
    const bogus = synth(['run', f, '--backend', 'webgpu', '--fresh'], { env: { SYNTH_WEBGPU_BACKEND: 'null' } });
    expect(bogus.stderr).toMatch(/SYN6003: WebGPU: unknown Dawn backend 'null'/);
    expect(bogus.code).toBe(2);
  });
});
