import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/build.js';
import { runCpu } from '../../runtime/sim/cpu.js';
import { runWebGpu } from '../../runtime/sim/gpu-host.js';
const SIM = (body: string) => `sim s {\n  worlds 3\n  agents 5\n  steps 4\n  state x: f32 = 1.0\n  state n: u32 = 0\n  state k: i32 = 0\n  state p: vec2f = vec2f(1.0, 2.0)\n${body}\n}\n`;
const cases: Record<string, string> = {
  paramRandom: SIM('  param q: f32 = uniform(0.0, 1.0)\n  rule r { x = x + q }'),
  paramState: SIM('  param q: f32 = x\n  rule r { x = x + q }'),
  uniformInCheck: SIM('  rule r { x = x + 1.0 }\n  check uniform(0.0, 1.0) < 2.0'),
  reductionInCheck: SIM('  rule r { x = x + 1.0 }\n  check max(o.x for o in agents) < 100.0'),
  reductionInWhen: SIM('  rule r when count(o.x > 0.0 for o in agents) > 2 { x = x + 1.0 }'),
  constDivZero: SIM('  rule r { x = x + 1.0 / 0.0 }'),
  intOverflow: SIM('  rule r { k = k + 2147483647 + 1 }'),
  bigLiteral: SIM('  rule r { k = 3000000000 }'),
  i32ofBig: SIM('  rule r { k = i32(1e10) }'),
  sqrtNeg: SIM('  rule r { x = sqrt(-1.0) }'),
  logZero: SIM('  rule r { x = log(0.0) }'),
  u32Neg: SIM('  rule r { n = u32(-1) }'),
  vecOps: SIM('  rule r { p = normalize(p) * 2.0 + vec2f(1.0) \n x = length(p) + dot(p, p) + distance(p, vec2f(0.0, 0.0)) }'),
  vecMinus: SIM('  rule r { p = -p }'),
  vecAbs: SIM('  rule r { p = abs(p) + min(p, vec2f(0.5, 0.5)) }'),
  vecCompound: SIM('  rule r { p += vec2f(1.0, 1.0)\n p *= 2.0 }'),
  shadow: SIM('  rule r { let x = 2.0\n n = n + 1 }'),
  binderShadow: SIM('  rule r { x = sum(x.x for x in agents) }'),
  letReassign: SIM('  rule r { let y = 1.0\n let y = 2.0\n x = y }'),
  stepInInit: SIM('  state z: u32 = step + agent + world\n  rule r { z = z + step }'),
  boolEvent: SIM('  rule r { emit e { b: x > 0.0, i: k, u: n } }\n  event e { b: bool, i: i32, u: u32 }'),
  observeVec: SIM('  rule r { p = p + vec2f(0.1, 0.1) }\n  observe every 2 { p, x }'),
  modF: SIM('  rule r { x = x % 0.7 + f32(k % 3) + f32(n % 2) }'),
  divInt: SIM('  rule r { k = k / 0 + 7 / 2\n n = n / 0 }'),
  selectVec: SIM('  rule r { p = select(p, vec2f(0.0, 0.0), x > 2.0) }'),
  meanInt: SIM('  rule r { x = mean(o.k for o in agents) + f32(sum(o.n for o in agents)) }'),
  minU32: SIM('  rule r { n = min(o.n for o in agents, default 5) + max(o.n for o in agents) }'),
  sumVec: SIM('  rule r { p = sum(o.p for o in agents) }'),
  anyDefault: SIM('  rule r { n = select(0, 1, any(o.x > 100.0 for o in agents where o.x < 0.0, default true)) }'),
  emptyRule: SIM('  rule r { }'),
  noRules: SIM(''),
  whenOnly: SIM('  rule r when step > 2 { x = 0.0 }'),
  negU32: SIM('  rule r { n = -n }'),
  floorInt: SIM('  rule r { k = i32(floor(x * 2.5)) + i32(ceil(-x)) }'),
  tanhPow: SIM('  rule r { x = tanh(x) + pow(x, 2.0) + exp(-x) + sin(x) + cos(x) }'),
  bigStepsHash: SIM('  rule r { x = uniform(0.0, 1.0) + normal(0.0, 1.0) + f32(randint(-5, 5)) + f32(bernoulli(0.5)) }'),
  randintU: SIM('  rule r { n = randint(0, 10) }'),
  compareBool: SIM('  state b: bool = false\n  rule r { b = (x > 1.0) == (n > 0) }'),
  notNum: SIM('  rule r { x = !x }'),
  worldsHuge: 'sim s { worlds 1e3 agents 2 steps 3 state x: f32 = 0.0 }',
  nestedIf: SIM('  rule r { if x > 0.0 { if n == 0 { x = 1.0 } else if n == 1 { x = 2.0 } else { x = 3.0 } } }'),
  twoPhases: SIM('  rule a { x = x + 1.0 }\n  rule b { x = mean(o.x for o in agents) }\n  rule c { x = x * 2.0 }'),
  vecParam: SIM('  param h: vec2f = vec2f(1.0, -2.0)\n  param hb: bool = true\n  param hu: u32 = 3\n  rule r { p = p + h\n n = select(n, hu, hb) }'),
  i32Neg: SIM('  rule r { k = -k - 1 }'),
  infLiteral: SIM('  rule r { x = min(x, 1e39) }'),
  constI32: SIM('  rule r { k = k + (2147483647 + 1) }'),
  constU32ok: SIM('  rule r { n = 3000000000 }'),
  bigF32: SIM('  rule r { x = min(x, 1e39) }'),
  paramDiv: SIM('  param z: f32 = 0.0\n  param o: f32 = 1.0\n  rule r { x = x + o / z }'),
  checkInv: SIM('  rule r { x = x + 1.0 }\n  check x < 3.0'),
  emitInWhen: SIM('  rule r when x > 0.0 { emit e { v: x } }\n  event e { v: f32 }'),
};
async function main() {
  const only = process.argv[2];
  for (const [name, src] of Object.entries(cases)) {
    if (only && name !== only) continue;
    const dir = mkdtempSync(path.join(tmpdir(), 'edge-'));
    const f = path.join(dir, 's.synth');
    writeFileSync(f, src);
    let line = `${name.padEnd(16)} `;
    try {
      const res = checkFile(f);
      const errs = res.diagnostics.filter((d) => d.severity === 'error');
      if (errs.length) { console.log(line + 'CHECK: ' + errs.map((d) => d.code + ' ' + d.message).join(' | ')); continue; }
      const { plan } = buildPlan(res);
      const st = Object.values(plan.sims)[0]!.stage as any;
      const cpu = await runCpu(st, { workers: 1 });
      line += `cpu ok x=${cpu.finalState[0]![0]![0]} `;
      try {
        const gpu = await runWebGpu(st, {});
        const diffs: string[] = [];
        st.layout.columns.forEach((c: any, ci: number) => { const a = Array.from(cpu.finalState[0]![ci]!), b = Array.from(gpu.finalState[0]![ci]!); if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${c.name}: cpu ${a.slice(0,3)} gpu ${b.slice(0,3)}`); });
        line += diffs.length ? 'GPU DIFF ' + diffs.join('; ') : 'gpu same';
      } catch (e) { line += 'GPU ERR ' + (e as Error).message.slice(0, 300); }
    } catch (e) { line += 'CRASH ' + (e as Error).stack?.split('\n').slice(0, 3).join(' / '); }
    console.log(line);
  }
}
void main();
