// A realistic rule set through the CLI, beside the same rules written by hand in JavaScript (issue #12):
// bench/sim/swarm/swarm.synth (vec2f state, trig, `normal`, two neighbour reductions over 32 agents with `where`,
// events in branches, observations) run with `synth run --backend cpu` on 1 and 2 worker threads, and
// bench/sim/swarm/hand-written.js on 1 and 2 threads — each a fresh process, timed from start to exit, best of
// REPS. Then, in this process, what the exact (bit-identical) transcendentals cost: the generated kernel with
// the library's sin/cos/… against the same kernel printed with JavaScript's Math (js.ts `math: 'native'`).
// Run: npm run build && npx tsx bench/sim/realistic.ts [--reps 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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

function timed(args: string[], env: Record<string, string>): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function best(f: () => number): number {
  let b = Infinity;
  for (let k = 0; k < REPS; k++) b = Math.min(b, f());
  return b;
}

const uptime = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const out = mkdtempSync(path.join(tmpdir(), 'synth-swarm-'));
  console.log(`load average at start: ${uptime()}`);
  const res = checkFile(SPEC);
  const stage = Object.values(buildPlan(res).plan.sims)[0]!.stage as SimStage;
  const agentSteps = stage.layout.worlds * stage.layout.agents * stage.layout.steps;
  const rows: { what: string; ms: number }[] = [];
  const cli = (workers: number) => () => timed([CLI, 'run', SPEC, '--backend', 'cpu', '--fresh', '-n', String(LIMIT), '-o', path.join(out, `cli${workers}`)], { SYNTH_CPU_WORKERS: String(workers) });
  const hand = (threads: number) => () => timed([HAND, '--threads', String(threads), '--limit', String(LIMIT), '--out', path.join(out, `hand${threads}.jsonl`)], {});
  // interleaved, so a change in the machine's load hits every row alike
  const results = new Map<string, number>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const [what, f] of [
      ['synth run --backend cpu, 1 worker', cli(1)],
      ['hand-written JS, 1 thread', hand(1)],
      ['synth run --backend cpu, 2 workers', cli(2)],
      ['hand-written JS, 2 threads', hand(2)],
    ] as const) {
      const ms = f();
      results.set(what, Math.min(results.get(what) ?? Infinity, ms));
    }
  }
  for (const [what, ms] of results) rows.push({ what, ms });
  for (const r of rows) console.log(`${r.what.padEnd(38)} ${(r.ms / 1000).toFixed(2)} s  ${(agentSteps / (r.ms / 1000)).toExponential(2)} agent-steps/s (whole process)`);
  const get = (w: string) => results.get(w)!;
  console.log(`per core: synth ${(100 * get('hand-written JS, 1 thread') / get('synth run --backend cpu, 1 worker')).toFixed(0)} % of the hand-written speed`);
  console.log(`two cores: synth ${(get('synth run --backend cpu, 1 worker') / get('synth run --backend cpu, 2 workers')).toFixed(2)}× its one-worker speed; hand-written ${(get('hand-written JS, 1 thread') / get('hand-written JS, 2 threads')).toFixed(2)}×`);
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
      const r = await runCpu(st, { workers: 1 });
      kernelMs.set(what, Math.min(kernelMs.get(what) ?? Infinity, Number(r.stats['stepMs'])));
    }
  }
  for (const [what, ms] of kernelMs) console.log(`kernel, ${what.padEnd(18)} ${(ms / 1000).toFixed(2)} s  ${(agentSteps / (ms / 1000)).toExponential(2)} agent-steps/s (step loop, 1 thread)`);
  console.log(`exact transcendentals cost ${(100 * (kernelMs.get('exact (xmath.ts)')! / kernelMs.get('native (Math.*)')! - 1)).toFixed(1)} % on this rule set`);
  console.log(`load average at end: ${uptime()}`);
}

void main();
