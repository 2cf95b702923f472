// Every overload of every built-in the checker accepts (compiler/sim/builtins.ts) checks, lowers, prints and
// runs on the CPU backend — and on WebGPU, bit-identically — and a vector overload of a per-component
// built-in is exactly the scalar one applied to each component (issue #12: clamp and floor on a vector gave
// NaN on the CPU). The printers' switches make a missing case a compile error; this makes a wrong one a test
// failure.
import { describe, expect, it } from 'vitest';
import { SIM_FUNCTIONS, type SimFnName, type Ty } from '../../compiler/sim/builtins.js';
import { compileSim, difference, runOnCpu, runOnGpu } from '../support/sim-diff.js';
import { needWebGpu } from '../support/webgpu.js';

/** Three values per type, a, b and c: a positive where a function needs it (sqrt, log, pow), b with negative parts. */
const VALUES: Record<Ty, [string, string, string]> = {
  f32: ['0.75', '-1.25', '2.5'],
  i32: ['-7', '3', '12'],
  u32: ['5', '9', '2'],
  bool: ['true', 'false', 'true'],
  vec2f: ['vec2f(0.75, 1.5)', 'vec2f(-1.25, 0.5)', 'vec2f(2.5, 3.0)'],
  vec3f: ['vec3f(0.75, 1.5, 10.0)', 'vec3f(-1.25, 0.5, 0.1)', 'vec3f(2.5, 3.0, 4.0)'],
  vec4f: ['vec4f(0.75, 1.5, 10.0, 0.3)', 'vec4f(-1.25, 0.5, 0.1, 7.0)', 'vec4f(2.5, 3.0, 4.0, 9.0)'],
};
const PER_COMPONENT = new Set<SimFnName>(['min', 'max', 'clamp', 'abs', 'floor', 'ceil', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tanh', 'pow']);

function overloads(): { name: SimFnName; T: Ty; params: Ty[]; result: Ty }[] {
  const out: { name: SimFnName; T: Ty; params: Ty[]; result: Ty }[] = [];
  for (const [name, f] of Object.entries(SIM_FUNCTIONS) as [SimFnName, (typeof SIM_FUNCTIONS)[SimFnName]][]) {
    for (const T of f.overloads.types) {
      out.push({ name, T, params: f.overloads.params.map((p) => (p === 'T' ? T : p)), result: f.overloads.result === 'T' ? T : f.overloads.result });
    }
  }
  return out;
}

function program(o: { name: SimFnName; T: Ty; params: Ty[]; result: Ty }): string {
  const names = ['a', 'b', 'c'];
  const states = new Map<string, string>();
  const args = o.params.map((p, i) => {
    const n = `${names[i]}_${p}`;
    states.set(n, `  state ${n}: ${p} = ${VALUES[p][i]}`);
    return n;
  });
  const lines = ['sim s {', '  worlds 2', '  agents 3', '  steps 2', '  finite_outputs 0', ...states.values(), `  state out: ${o.result}`];
  const call = `${o.name}(${args.join(', ')})`;
  let rule = `out = ${call}`;
  if (PER_COMPONENT.has(o.name) && o.T.startsWith('vec')) {
    // the same built-in on each component, from the scalar overload
    const n = Number(o.T[3]);
    lines.push(`  state each: ${o.T}`);
    const comp = (i: number) => `${o.name}(${args.map((a) => `${a}.${'xyzw'[i]}`).join(', ')})`;
    rule += `\n    each = ${o.T}(${Array.from({ length: n }, (_, i) => comp(i)).join(', ')})`;
  }
  lines.push(`  rule r {\n    ${rule}\n  }`, '  observe every 1 { out }', '}');
  return lines.join('\n') + '\n';
}

describe('every built-in overload', () => {
  const all = overloads();
  it('is listed (min, max, clamp, abs over f32, i32, u32 and vectors; the float functions over f32 and vectors)', () => {
    expect(all.length).toBeGreaterThan(70);
    expect(all.filter((o) => o.name === 'clamp').map((o) => o.T)).toEqual(['f32', 'i32', 'u32', 'vec2f', 'vec3f', 'vec4f']);
  });
  for (const o of all) {
    it(`${o.name}(${o.params.join(', ')}) -> ${o.result}`, async (ctx) => {
      const c = compileSim(program(o));
      if (!c.ok) throw new Error(c.errors.join('\n'));
      const cpu = await runOnCpu(c.stage);
      if (!cpu.ok) throw new Error(`${cpu.code}: ${cpu.message}`);
      const L = c.stage.layout;
      const col = (state: string) => L.columns.map((x, i) => (x.state === state ? i : -1)).filter((i) => i >= 0);
      const out = col('out').map((i) => Array.from(cpu.result.finalState[i]!));
      // never NaN for these arguments (all in every function's domain)
      expect(out.flat().some((x) => Number.isNaN(x)), JSON.stringify(out)).toBe(false);
      if (PER_COMPONENT.has(o.name) && o.T.startsWith('vec')) {
        const each = col('each').map((i) => Array.from(cpu.result.finalState[i]!));
        expect(out).toEqual(each);
      }
      await needWebGpu(ctx, `built-in ${o.name} on WebGPU`);
      expect(difference(c.stage, cpu, await runOnGpu(c.stage))).toBeNull();
    });
  }
});
