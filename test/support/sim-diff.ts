// Runs one sim on both backends and says where they differ: the harness of the generated differential tests
// (test/sim/generated.test.ts) and of bench/sim/differential.ts. "Agree" means bit-identical observations,
// events and final state (NaN equals NaN whatever its payload bits; +0 and −0 differ), or the same error (code
// and message) on both.
import { parseSynth } from '../../grammar/parse.js';
import type * as A from '../../grammar/ast.js';
import { analyzeSim } from '../../compiler/sim/check.js';
import { buildSimStage, type SimStage } from '../../compiler/sim/plan.js';
import { runCpu } from '../../runtime/sim/cpu.js';
import { GpuSession, runWebGpu } from '../../runtime/sim/gpu-host.js';
import type { EventTable, SimResult, Trajectory } from '../../runtime/sim/result.js';

export type Compiled = { ok: true; stage: SimStage } | { ok: false; errors: string[] };

/** Parses, checks and builds the first sim of a source text (no files, no full program check). */
export function compileSim(src: string): Compiled {
  const { file: ast, diagnostics } = parseSynth(src, "g.synth");
  const sim = ast.decls.find((d): d is A.SimDecl => d.kind === 'Sim');
  const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  if (!sim) return { ok: false, errors: [...errors, 'no sim'] };
  errors.push(...analyzeSim(sim, 'g.synth').diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`));
  if (errors.length) return { ok: false, errors };
  return { ok: true, stage: buildSimStage(sim, { seed: 0, file: 'g.synth' }).stage };
}

export type Run = { ok: true; result: SimResult } | { ok: false; code: string; message: string };

async function settle(p: Promise<SimResult>): Promise<Run> {
  try {
    return { ok: true, result: await p };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { ok: false, code: err.code ?? 'crash', message: err.message };
  }
}

export const runOnCpu = (stage: SimStage): Promise<Run> => settle(runCpu(stage, { workers: 1 }));
export const runOnGpu = (stage: SimStage, session?: GpuSession): Promise<Run> => settle(runWebGpu(stage, session ? { session } : {}));

function same(a: number, b: number): boolean {
  if (a === b) return a !== 0 || Object.is(a, b);
  return Number.isNaN(a) && Number.isNaN(b);
}

function sameColumn(what: string, a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `${what}: ${a.length} values on the CPU, ${b.length} on WebGPU`;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return `${what}[${i}]: CPU ${fmt(a[i]!)}, WebGPU ${fmt(b[i]!)}`;
  return null;
}

const fmt = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

function sameTable(what: string, a: EventTable | Trajectory | null, b: EventTable | Trajectory | null, names: string[]): string | null {
  if (!a || !b) return a === b ? null : `${what}: present on one backend only`;
  if ('world' in a && 'world' in b) {
    for (const k of ['world', 'agent', 'step', 'site'] as const) {
      const d = sameColumn(`${what}.${k}`, a[k], b[k]);
      if (d) return d;
    }
  } else if ('steps' in a && 'steps' in b) {
    const d = sameColumn(`${what}.steps`, a.steps, b.steps);
    if (d) return d;
  }
  for (let f = 0; f < a.fields.length; f++) {
    const d = sameColumn(`${what}.${names[f] ?? f}`, a.fields[f]!, b.fields[f]!);
    if (d) return d;
  }
  return null;
}

/** The first difference between two runs of one stage, or null when they agree. */
export function difference(stage: SimStage, cpu: Run, gpu: Run): string | null {
  if (!cpu.ok || !gpu.ok) {
    if (!cpu.ok && !gpu.ok && cpu.code === gpu.code && cpu.message === gpu.message) return null;
    const say = (r: Run) => (r.ok ? 'completed' : `${r.code}: ${r.message}`);
    return `CPU ${say(cpu)}; WebGPU ${say(gpu)}`;
  }
  const L = stage.layout;
  const a = cpu.result;
  const b = gpu.result;
  for (let e = 0; e < L.events.length; e++) {
    const d = sameTable(`event ${L.events[e]!.name}`, a.events[e]!, b.events[e]!, L.events[e]!.fields.map((f) => f.name));
    if (d) return d;
  }
  const obs = L.observe ? L.observe.fields.flatMap((f) => L.columns.filter((c) => c.state === f).map((c) => c.name)) : [];
  const t = sameTable('trajectory', a.traj, b.traj, obs);
  if (t) return t;
  for (let c = 0; c < L.columns.length; c++) {
    const d = sameColumn(`final ${L.columns[c]!.name}`, a.finalState[c]!, b.finalState[c]!);
    if (d) return d;
  }
  return null;
}

export type Outcome = { kind: 'invalid'; errors: string[] } | { kind: 'agree' } | { kind: 'mismatch'; detail: string };

/** Compiles and runs one program on both backends. */
export async function diffProgram(src: string): Promise<Outcome> {
  const c = compileSim(src);
  if (!c.ok) return { kind: 'invalid', errors: c.errors };
  const gpu = runOnGpu(c.stage);
  const cpu = await runOnCpu(c.stage);
  const d = difference(c.stage, cpu, await gpu);
  return d ? { kind: 'mismatch', detail: d } : { kind: 'agree' };
}

/**
 * Runs many programs (until `valid` of them have checked, when given) with up to `window` GPU requests in flight:
 * the GPU processes compile and run them while this process checks, lowers and runs the next ones on the CPU
 * backend. `gpuProcesses` (default 1: the shared one): that many GPU processes, each program sent to the least
 * busy; a GPU process is one thread of Dawn and llvmpipe, so on a machine with cores to spare several run
 * programs side by side (window default: 3 per process).
 */
export async function diffMany(sources: Iterable<string>, onOutcome: (src: string, o: Outcome) => void | Promise<void>, opts: { window?: number; valid?: number; gpuProcesses?: number } = {}): Promise<number> {
  const sessions = opts.gpuProcesses && opts.gpuProcesses > 1 ? Array.from({ length: opts.gpuProcesses }, () => new GpuSession()) : [];
  try {
    return await diffManyOn(sources, onOutcome, opts.window ?? Math.max(6, 3 * sessions.length), opts.valid, sessions);
  } finally {
    for (const s of sessions) s.close();
  }
}

async function diffManyOn(sources: Iterable<string>, onOutcome: (src: string, o: Outcome) => void | Promise<void>, window: number, validMax: number | undefined, sessions: GpuSession[]): Promise<number> {
  const opts = { valid: validMax };
  const inFlight = new Set<Promise<void>>();
  let valid = 0;
  for (const src of sources) {
    if (opts.valid !== undefined && valid >= opts.valid) break;
    const c = compileSim(src);
    if (!c.ok) {
      await onOutcome(src, { kind: 'invalid', errors: c.errors });
      continue;
    }
    valid++;
    const least = sessions.length ? sessions.reduce((a, b) => (b.inFlight < a.inFlight ? b : a)) : undefined;
    const gpu = runOnGpu(c.stage, least);
    const cpu = await runOnCpu(c.stage);
    const p: Promise<void> = gpu.then(async (g) => {
      const d = difference(c.stage, cpu, g);
      await onOutcome(src, d ? { kind: 'mismatch', detail: d } : { kind: 'agree' });
    });
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return valid;
}
