// The CPU backend: runs the generated JavaScript kernel (compiler/sim/js.ts) over blocks of worlds. Worlds
// are independent (reductions stay inside a world), so each worker thread simulates its own block of worlds
// for all steps with no synchronisation. The state columns and the trajectory are allocated once for the run,
// in shared memory: each thread works on and observes into its own slice, so nothing is copied back; only the
// events (few, grown as emitted) are sent to the main thread and merged.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SimLayout } from '../../compiler/sim/layout.js';
import { synthError, type DiagnosticArgs, type DiagnosticCode, type SynthError } from '../../base/diagnostics.js';
import { allocTrajectory, blockEvents, checkFiniteOutputs, column, mergeEvents, observeInto, observedColumns, trimEvents, type BlockEvents, type Column, type SimResult } from './result.js';
import { allocationFailed } from './memory.js';

export interface SimStage {
  layout: SimLayout;
  js: string;
}

interface Kernel {
  init(C: Column[], w0: number, w1: number): void;
  step(C: Column[], S: Column[], w0: number, w1: number, t: number, E: (...a: number[]) => void): void;
  checks?(C: Column[], w0: number, w1: number, t: number): number;
}

const kernels = new Map<string, Kernel>();

/**
 * One instance of a kernel per source text and thread. Instantiating the same source again would share V8's
 * compiled code and type feedback with new closures, making the calls to the RNG helpers polymorphic: the third
 * run of a sim in one thread was measured 2.5× slower than the first. Reusing the instance avoids that.
 */
function kernelFor(js: string): Kernel {
  let k = kernels.get(js);
  if (!k) {
    k = new Function(js)() as Kernel;
    if (kernels.size >= 16) kernels.delete(kernels.keys().next().value!);
    kernels.set(js, k);
  }
  return k;
}

/**
 * A `check` failure in a block, with the key that picks, among blocks, the one both backends report: the
 * earliest step, `check finite` before invariants, then the lowest column and agent (finite) or agent and check.
 */
export class BlockFailure extends Error {
  constructor(
    readonly failure: CheckFailure,
    readonly key: number[],
  ) {
    super(checkError(failure).message);
  }

  /** The coded error the run stops with. */
  toError(): SynthError {
    return checkError(this.failure);
  }
}

/** The coded error of a failed check (one branch per code, so each call's arguments are type-checked). */
export function checkError(f: CheckFailure): SynthError {
  return f.code === 'SYN6002' ? synthError(f.code, f.args) : synthError(f.code, f.args);
}

/** A failed `check finite` (SYN6002) or invariant (SYN6004), as its code and arguments (what a worker posts). */
export type CheckFailure = { code: 'SYN6002'; args: DiagnosticArgs<'SYN6002'> } | { code: 'SYN6004'; args: DiagnosticArgs<'SYN6004'> };

/** A block's slices of the run's columns: worlds [w0, w1), the state and (when observed) the trajectory. */
export interface BlockViews {
  C: Column[];
  traj: Column[] | null;
  /**
   * Where the block counts its world-steps done (worlds × steps simulated so far): slot `at` of a shared array
   * the main thread reads for the progress display. Written once per step of a chunk of worlds (a plain store:
   * a Float64 slot holds counts past 2³¹ exactly, and only the display reads it, with no ordering needed).
   */
  done?: { counts: Float64Array; at: number };
}

/**
 * Worlds simulated together through all their steps, before the next ones: a chunk's state and snapshot stay
 * in the core's first-level cache instead of every world's state streaming from memory at every step. Worlds
 * are independent, so the chunking changes no value (events are sorted into canonical order afterwards). About
 * 32 agents a chunk measured fastest (one world of the swarm bench: 20 % less time than 170 worlds a chunk);
 * worlds of few agents are grouped so the per-call work of the kernel stays small beside the agents' work.
 */
export function chunkWorlds(L: SimLayout): number {
  return Math.max(1, Math.floor(CHUNK_AGENTS / L.agents));
}
const CHUNK_AGENTS = 32;

/** Simulates worlds [w0, w1) for every step, in this thread, on the block's slices of the run's columns. */
export function simulateBlock(stage: SimStage, w0: number, w1: number, views: BlockViews): { events: BlockEvents; stepMs: number } {
  const L = stage.layout;
  const kernel = kernelFor(stage.js);
  const A = L.agents;
  const ev = blockEvents(L);
  const emit = (e: number, w: number, a: number, t: number, site: number, ...fields: number[]) => ev.emit(e, w, a, t, site, fields);
  const obsCols = observedColumns(L);
  const S = L.observe ? Math.floor(L.steps / L.observe.every) + 1 : 0;
  const per = chunkWorlds(L);
  const snapshot = L.columns.map((c) => column(c.type, Math.min(per, w1 - w0) * A));
  const finiteCols = L.checkFinite ? L.columns.map((c, i) => (c.type === 'f32' ? i : -1)).filter((i) => i >= 0) : [];
  let failure: BlockFailure | undefined;
  const tSteps = performance.now();
  for (let c0 = w0; c0 < w1; c0 += per) {
    const c1 = Math.min(w1, c0 + per);
    const n = (c1 - c0) * A;
    const C = views.C.map((col) => col.subarray((c0 - w0) * A, (c1 - w0) * A));
    const Sn = snapshot.map((col) => col.subarray(0, n));
    const traj = views.traj ? views.traj.map((f) => f.subarray((c0 - w0) * S * A, (c1 - w0) * S * A)) : null;
    let s = 0;
    kernel.init(C, c0, c1);
    if (traj) observeInto(traj, obsCols, C, s++, S, c1 - c0, A);
    // a failure in an earlier chunk at step f: this chunk can only matter up to step f (see BlockFailure)
    const doneBefore = (c0 - w0) * L.steps;
    for (let t = 0; t < L.steps && (!failure || t <= failure.key[0]!); t++) {
      kernel.step(C, Sn, c0, c1, t, emit);
      if (views.done) views.done.counts[views.done.at] = doneBefore + (t + 1) * (c1 - c0);
      const f = checkStep(L, kernel, C, c0, c1, t, finiteCols);
      if (f) {
        if (!failure || compareKeys(f.key, failure.key) < 0) failure = f;
        break;
      }
      if (traj && (t + 1) % L.observe!.every === 0) observeInto(traj, obsCols, C, s++, S, c1 - c0, A);
    }
  }
  if (failure) throw failure;
  return { events: trimEvents(ev), stepMs: performance.now() - tSteps };
}

/** `check finite` and the invariants after step `t` for worlds [c0, c1) (columns `C`): the first failure. */
function checkStep(L: SimLayout, kernel: Kernel, C: Column[], c0: number, c1: number, t: number, finiteCols: number[]): BlockFailure | undefined {
  const A = L.agents;
  const n = (c1 - c0) * A;
  for (const ci of finiteCols) {
    const col = C[ci] as Float32Array;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v - v !== 0) {
        const w = c0 + Math.floor(i / A);
        return new BlockFailure(finiteStateFailure(L, c0, i, L.columns[ci]!.name, String(v), t), [t, 0, ci, c0 * A + i]);
      }
    }
  }
  if (kernel.checks) {
    const bad = kernel.checks(C, c0, c1, t);
    if (bad >= 0) {
      const K = L.invariants.length;
      const i = Math.floor(bad / K);
      return new BlockFailure(invariantFailure(L, c0, i, bad % K, t), [t, 1, c0 * A + i, bad % K]);
    }
  }
  return undefined;
}

/** SYN6004 (invariant `k` failed), the same for both backends: `i` is the agent's index from the first agent of world `w0`. */
export function invariantFailure(L: SimLayout, w0: number, i: number, k: number, step: number): CheckFailure {
  return { code: 'SYN6004', args: { sim: L.name, check: L.invariants[k]!, world: w0 + Math.floor(i / L.agents), agent: i % L.agents, step } };
}

/** SYN6002 (`state` became `value` under `check finite`), the same for both backends; `w0` and `i` as for `invariantFailure`. */
export function finiteStateFailure(L: SimLayout, w0: number, i: number, state: string, value: string, step: number): CheckFailure {
  return { code: 'SYN6002', args: { sim: L.name, state, value, world: w0 + Math.floor(i / L.agents), agent: i % L.agents, step } };
}

export interface CpuOptions {
  workers?: number;
  worldRange?: [number, number];
  /**
   * Polled while the sim runs (Ctrl-C: the run's `interrupted`): once it says true the worker threads are
   * terminated and runCpu rejects with SimInterrupted. With it the sim always runs in worker threads (one at
   * least), so the main thread stays free to see the signal.
   */
  stop?: () => boolean;
  /**
   * Told, while the sim runs in worker threads, how far it is: world-steps done over the sim's worlds (so a
   * step count 0..steps, fractional while chunks of worlds are part-way). Called from the same poll as `stop`,
   * only when the count moved.
   */
  onSteps?: (steps: number) => void;
}

/** A CPU simulation stopped by `CpuOptions.stop` (Ctrl-C) before it finished: it has no result. */
export class SimInterrupted extends Error {
  constructor(sim: string) {
    super(`simulation ${sim} stopped: interrupted`);
    this.name = 'SimInterrupted';
  }
}

/** How often a running CPU sim looks at `stop` and its workers' step counts (a poll: the run's Ctrl-C flag is a function, not an event). */
const STOP_POLL_MS = 50;

function workerPath(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/\.ts$/, '.js').replace(/cpu\.js$/, 'cpu-worker.js');
  if (here.endsWith('.js') && existsSync(js)) return js;
  // Running from sources (tests): use the compiled worker if the project has been built.
  const root = path.resolve(path.dirname(here), '../..');
  const built = path.join(root, 'dist', 'runtime', 'sim', 'cpu-worker.js');
  return existsSync(built) ? built : undefined;
}

/** A worker's answer; a failure carries a coded error's code and arguments (its class does not cross threads). */
export type WorkerReply =
  | { ok: true; events: BlockEvents; stepMs: number }
  | { ok: false; error: { code?: DiagnosticCode; args?: Record<string, string | number>; message: string; failure?: CheckFailure; key?: number[] } };

export async function runCpu(stage: SimStage, opts: CpuOptions = {}): Promise<SimResult> {
  const L = stage.layout;
  const [lo, hi] = opts.worldRange ?? [0, L.worlds];
  const t0 = performance.now();
  const total = hi - lo;
  const want = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), total));
  const file = want > 1 || opts.stop || opts.onSteps ? workerPath() : undefined;
  const threads = file ? want : 1;
  const n = total * L.agents;
  let state: Column[];
  let traj: ReturnType<typeof allocTrajectory>;
  try {
    state = L.columns.map((c) => column(c.type, n, threads > 1));
    traj = allocTrajectory(L, lo, hi, threads > 1);
  } catch (e) {
    throw allocationFailed(L, e);
  }
  const S = traj?.steps.length ?? 0;
  const per = Math.ceil(total / threads);
  const ranges: Array<[number, number]> = [];
  for (let w = lo; w < hi; w += per) ranges.push([w, Math.min(hi, w + per)]);
  // world-steps done per block, shared with the workers (BlockViews.done)
  const doneCounts = new Float64Array(file ? new SharedArrayBuffer(8 * ranges.length) : new ArrayBuffer(8 * ranges.length));
  const viewsOf = (a: number, b: number, at: number): BlockViews => ({
    C: state.map((c) => c.subarray((a - lo) * L.agents, (b - lo) * L.agents)),
    traj: traj ? traj.fields.map((f) => f.subarray((a - lo) * S * L.agents, (b - lo) * S * L.agents)) : null,
    done: { counts: doneCounts, at },
  });
  let blocks: { events: BlockEvents; stepMs: number }[];
  if (!file) {
    try {
      blocks = [simulateBlock(stage, lo, hi, viewsOf(lo, hi, 0))];
    } catch (e) {
      throw e instanceof BlockFailure ? e.toError() : e;
    }
  } else {
    const workers: Worker[] = [];
    let stopped = false;
    let reported = 0;
    const poll =
      opts.stop || opts.onSteps
        ? setInterval(() => {
            if (stopped) return;
            if (opts.stop?.()) {
              stopped = true;
              for (const w of workers) void w.terminate();
              return;
            }
            let done = 0;
            for (const d of doneCounts) done += d;
            if (opts.onSteps && done > reported) {
              reported = done;
              opts.onSteps(done / total);
            }
          }, STOP_POLL_MS)
        : undefined;
    const settled = await Promise.allSettled(
      ranges.map(
        ([a, b], at) =>
          new Promise<{ events: BlockEvents; stepMs: number }>((resolve, reject) => {
            const worker = new Worker(file, { workerData: { stage, w0: a, w1: b, views: viewsOf(a, b, at) } });
            workers.push(worker);
            // terminated by a stop: it ends without a message
            worker.once('exit', () => reject(new SimInterrupted(L.name)));
            worker.once('message', (m: WorkerReply) => {
              void worker.terminate();
              if (m.ok) resolve({ events: m.events, stepMs: m.stepMs });
              else if (m.error.failure) reject(new BlockFailure(m.error.failure, m.error.key!));
              else reject(m.error.code ? synthError(m.error.code, (m.error.args ?? {}) as never) : new Error(m.error.message));
            });
            worker.once('error', reject);
          }),
      ),
    );
    clearInterval(poll);
    if (stopped) throw new SimInterrupted(L.name);
    // A `check` failure: the one the GPU reports too (earliest step, then lowest location), whatever thread found it.
    const failures = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
    const checks = failures.filter((f): f is BlockFailure => f instanceof BlockFailure).sort((x, y) => compareKeys(x.key, y.key));
    const other = failures.find((f) => !(f instanceof BlockFailure));
    if (other) throw other;
    if (checks.length) throw checks[0]!.toError();
    blocks = settled.map((r) => (r as PromiseFulfilledResult<{ events: BlockEvents; stepMs: number }>).value);
  }
  const result: SimResult = { layout: L, events: mergeEvents(L, blocks.map((b) => b.events)), traj, finalState: state, stats: {} };
  checkFiniteOutputs(result);
  // stepMs: the simulation loop alone (threads run in parallel, so the slowest block), without start-up.
  result.stats = { backend: 'cpu', ms: performance.now() - t0, stepMs: Math.max(...blocks.map((b) => b.stepMs)), agentSteps: total * L.agents * L.steps, workers: blocks.length };
  return result;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Worker threads of the CPU backend: `SYNTH_CPU_WORKERS` when set, else the machine's cores. The variable must be
 * a whole number of at least 1 written as digits (SYN4113 otherwise: a typo is refused, not ignored).
 */
export function defaultWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const set = cpuWorkersFromEnv(env);
  if (set !== undefined) return set;
  return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2);
}

/** `SYNTH_CPU_WORKERS` as a number, undefined when unset or empty; throws SYN4113 for anything but a whole number ≥ 1. */
export function cpuWorkersFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env['SYNTH_CPU_WORKERS'];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^[1-9]\d*$/.test(v) || !Number.isSafeInteger(n)) throw synthError('SYN4113', { variable: 'SYNTH_CPU_WORKERS', expected: 'a whole number of at least 1 (worker threads of the CPU backend)', value: v });
  return n;
}
