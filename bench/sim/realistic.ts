// A realistic rule set through the CLI, beside the same rules written by hand in JavaScript (issue #12):
// bench/sim/swarm/swarm.synth (vec2f state, trig, `normal`, two neighbour reductions over 32 agents with `where`,
// events in branches, observations) run with `synth run --backend cpu` on 1 and 2 worker threads, and
// bench/sim/swarm/hand-written.js on 1 and 2 threads — each a fresh process, timed from start to exit (wall, and
// CPU time where /usr/bin/time exists), best of REPS. Then, in this process, what the exact (bit-identical)
// transcendentals cost: the generated kernel with
// the library's sin/cos/… against the same kernel printed with JavaScript's Math (js.ts `math: 'native'`).
// Run: npm run build && npx tsx bench/sim/realistic.ts [--reps 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import type * as A from '../../grammar/ast.js';
import { layoutOf } from '../../compiler/sim/layout.js';
import { lowerSim } from '../../compiler/sim/lower.js';
import { generateJs } from '../../compiler/sim/js.js';
import { runCpu } from '../../runtime/sim/cpu.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SPEC = path.join(ROOT, 'bench/sim/swarm/swarm.synth');
const HAND = path.join(ROOT, 'bench/sim/swarm/hand-written.js');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const i = process.argv.indexOf('--reps');
const REPS = i >= 0 ? Number(process.argv[i + 1]) : 3;
const LIMIT = 1000;

/** Wall time and, where /usr/bin/time exists, the process's CPU time (user + system): on a machine shared with
 * other work, CPU time is what a run costs per core; wall time is what two cores gain. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
function timed(args: string[], env: Record<string, string>): { wall: number; cpu: number } {
  const t0 = performance.now();
  const cmd = TIME ? [TIME, '-f', 'cpu %U %S', process.execPath, ...args] : [process.execPath, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

const uptime = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const out = mkdtempSync(path.join(tmpdir(), 'synth-swarm-'));
  console.log(`load average at start: ${uptime()}`);
  const res = checkFile(SPEC);
  const stage = Object.values(buildPlan(res).plan.sims)[0]!.stage as SimStage;
  const agentSteps = stage.layout.worlds * stage.layout.agents * stage.layout.steps;
  const cli = (workers: number) => () => timed([CLI, 'run', SPEC, '--backend', 'cpu', '--fresh', '-n', String(LIMIT), '-o', path.join(out, `cli${workers}`)], { SYNTH_CPU_WORKERS: String(workers) });
  const hand = (threads: number) => () => timed([HAND, '--threads', String(threads), '--limit', String(LIMIT), '--out', path.join(out, `hand${threads}.jsonl`)], {});
  // interleaved, so a change in the machine's load hits every row alike; best of REPS for each figure
  const wall = new Map<string, number>();
  const cpu = new Map<string, number>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const [what, f] of [
      ['synth run --backend cpu, 1 worker', cli(1)],
      ['hand-written JS, 1 thread', hand(1)],
      ['synth run --backend cpu, 2 workers', cli(2)],
      ['hand-written JS, 2 threads', hand(2)],
    ] as const) {
      const t = f();
      wall.set(what, Math.min(wall.get(what) ?? Infinity, t.wall));
      cpu.set(what, Math.min(cpu.get(what) ?? Infinity, t.cpu));
    }
  }
  for (const [what, ms] of wall) console.log(`${what.padEnd(38)} wall ${(ms / 1000).toFixed(2)} s  ${(agentSteps / (ms / 1000)).toExponential(2)} agent-steps/s   cpu ${(cpu.get(what)! / 1000).toFixed(2)} s`);
  const w = (k: string) => wall.get(k)!;
  const c = (k: string) => cpu.get(k)!;
  console.log(`per core: synth ${(100 * w('hand-written JS, 1 thread') / w('synth run --backend cpu, 1 worker')).toFixed(0)} % of the hand-written speed by wall time, ${(100 * c('hand-written JS, 1 thread') / c('synth run --backend cpu, 1 worker')).toFixed(0)} % by CPU time`);
  console.log(`two cores: synth ${(w('synth run --backend cpu, 1 worker') / w('synth run --backend cpu, 2 workers')).toFixed(2)}× its one-worker speed; hand-written ${(w('hand-written JS, 1 thread') / w('hand-written JS, 2 threads')).toFixed(2)}×`);
  const same = readFileSync(path.join(out, 'cli1', 'deaths.jsonl'), 'utf8').split('\n').length === readFileSync(path.join(out, 'hand1.jsonl'), 'utf8').split('\n').length;
  console.log(`both wrote ${LIMIT} death rows: ${same}`);

  // exact transcendentals: the same kernel with the library's functions and with JavaScript's Math
  const sim = res.symbols.get('swarm')!.decl as A.SimDecl;
  const L = layoutOf(sim, 7, SPEC);
  const { ir } = lowerSim(sim, L, SPEC);
  const native: SimStage = { ...stage, js: generateJs(ir, L, { math: 'native' }) };
  const kernelMs = new Map<string, number>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const [what, st] of [
      ['exact (xmath.ts)', stage],
      ['native (Math.*)', native],
    ] as const) {
      const c0 = process.cpuUsage();
      await runCpu(st, { workers: 1 });
      const used = process.cpuUsage(c0);
      kernelMs.set(what, Math.min(kernelMs.get(what) ?? Infinity, (used.user + used.system) / 1000));
    }
  }
  for (const [what, ms] of kernelMs) console.log(`kernel, ${what.padEnd(18)} cpu ${(ms / 1000).toFixed(2)} s  ${(agentSteps / (ms / 1000)).toExponential(2)} agent-steps per CPU second (in this process, 1 thread)`);
  console.log(`exact transcendentals cost ${(100 * (kernelMs.get('exact (xmath.ts)')! / kernelMs.get('native (Math.*)')! - 1)).toFixed(1)} % on this rule set`);
  console.log(`load average at end: ${uptime()}`);
}

void main();
