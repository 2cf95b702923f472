// The WebGPU backend, host side: runs the sim in an isolated child process (gpu-child.ts) and converts the
// raw buffers it returns into the same tables the CPU backend produces. Any failure of the child — no
// adapter, a WGSL compile problem, a validation error, a crash or a signal — becomes a SynthError
// (SYN6003 with the child's own words; SYN6007-6009 when the process is missing, does not start or dies), never a
// dead CLI.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimStage } from '../../compiler/sim/plan.js';
import { synthError, type SynthError } from '../../base/diagnostics.js';
import { checkError, finiteStateFailure, invariantFailure, SimInterrupted } from './cpu.js';
import type { GpuReply, GpuRequest, GpuStepsDone } from './gpu-child.js';
import { gpuConfig } from '../gpu/config.js';
import { allocTrajectory, checkFiniteOutputs, column, mergeEvents, observeInto, observedColumns, type BlockEvents, type Column, type SimResult } from './result.js';

export function childScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) {
    const p = path.join(path.dirname(here), 'gpu-child.js');
    if (existsSync(p)) return p;
  }
  const built = path.resolve(path.dirname(here), '../../dist/runtime/sim/gpu-child.js');
  return existsSync(built) ? built : undefined;
}

/**
 * One GPU child process per host process, started on first use and kept while the host lives (its device and
 * pipeline cache serve every sim of a run). It is unreferenced while idle, so it never keeps the CLI alive.
 * If it dies, every request in flight fails with SYN6009 and the next request starts a fresh child.
 */
export class GpuSession {
  private child: ChildProcess | undefined;
  private pending = new Map<number, { resolve: (r: GpuReply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; onSteps?: (steps: number) => void }>();
  private nextId = 1;
  private stderr = '';

  /** requests sent and not yet answered (a pool sends the next one to the least busy session) */
  get inFlight(): number {
    return this.pending.size;
  }

  request(message: Omit<GpuRequest, 'id'>, timeoutMs: number, onSteps?: (steps: number) => void): Promise<GpuReply> {
    const script = childScript();
    if (!script) return Promise.reject(synthError('SYN6007', {}));
    const child = this.child ?? this.start(script);
    const id = this.nextId++;
    return new Promise<GpuReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A hung driver: kill the process; the exit handler fails this and every other request.
        this.stderr += `\nno answer after ${Math.round(timeoutMs / 1000)} s`;
        child.kill('SIGKILL');
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, ...(onSteps ? { onSteps } : {}) });
      this.hold(true);
      child.send({ id, ...message, config: gpuConfig() } satisfies GpuRequest);
    });
  }

  private start(script: string): ChildProcess {
    const child = fork(script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, EGL_PLATFORM: process.env['EGL_PLATFORM'] ?? 'surfaceless' },
    });
    this.child = child;
    this.stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.on('message', (m: GpuReply | GpuStepsDone) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if ('stepsDone' in m) return p.onSteps?.(m.stepsDone);
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m);
      else if (m.wgslBug !== undefined) p.reject(synthError('SYN9002', { backend: 'WebGPU (WGSL)', sim: m.wgslBug, problem: m.error ?? '' }));
      else p.reject(synthError('SYN6003', { error: m.error ?? 'unknown error' }));
      this.hold(this.pending.size > 0);
    });
    const fail = (err: SynthError) => {
      if (this.child === child) this.child = undefined;
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      this.pending.clear();
    };
    // A send to a child that just died also lands here (EPIPE): its 'exit' says why, so wait for that.
    child.on('error', (e) => {
      if (child.pid === undefined) fail(synthError('SYN6008', { reason: e.message }));
    });
    child.on('exit', (code, signal) => {
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
      fail(synthError('SYN6009', { how: why, stderr: tail ? `: ${tail}` : '' }));
    });
    return child;
  }

  /** Keep the host alive only while a request is in flight. */
  private hold(busy: boolean): void {
    const c = this.child as (ChildProcess & { channel?: { ref(): void; unref(): void } }) | undefined;
    if (!c) return;
    // The child, its IPC channel and its stderr pipe each keep the event loop alive.
    const err = c.stderr as (NodeJS.ReadableStream & { ref?(): void; unref?(): void }) | null;
    if (busy) {
      c.ref();
      c.channel?.ref();
      err?.ref?.();
    } else {
      c.unref();
      c.channel?.unref();
      err?.unref?.();
    }
  }

  /** Stops the child (tests; the CLI just exits). */
  close(): void {
    this.child?.kill();
    this.child = undefined;
  }

  /**
   * Kills the child at once (SIGKILL: a driver busy in a dispatch may not heed a polite signal), failing what was
   * in flight (its answer is not wanted); the next request starts a fresh child.
   */
  abort(): void {
    this.child?.kill('SIGKILL');
  }
}

const session = new GpuSession();

export function runInChild(message: Omit<GpuRequest, 'id'>, timeoutMs = 30 * 60_000, onSteps?: (steps: number) => void): Promise<GpuReply> {
  return session.request(message, timeoutMs, onSteps);
}

/** How often a running GPU sim looks at `stop` (the run's Ctrl-C flag is a function, not an event). */
const STOP_POLL_MS = 50;

/**
 * A sim request to the child that `stop` can end: polled while it runs; when it says stop, the child is killed and
 * this rejects with SimInterrupted (nothing of the sim is kept: it has no result).
 */
function stoppableRun(message: Omit<GpuRequest, 'id'>, sim: string, stop: (() => boolean) | undefined, onSteps?: (steps: number) => void, via: GpuSession = session): Promise<GpuReply> {
  const req = via.request(message, 30 * 60_000, onSteps);
  if (!stop) return req;
  return new Promise<GpuReply>((resolve, reject) => {
    let done = false;
    const poll = setInterval(() => {
      if (done || !stop()) return;
      done = true;
      clearInterval(poll);
      req.catch(() => undefined); // the killed child's SYN6009: not what happened
      via.abort();
      reject(new SimInterrupted(sim));
    }, STOP_POLL_MS);
    req.then(
      (r) => {
        clearInterval(poll);
        if (done) return;
        done = true;
        // stopped just as it finished: a stop is a stop, as for the CPU backend's threads
        if (stop()) reject(new SimInterrupted(sim));
        else resolve(r);
      },
      (e: unknown) => {
        clearInterval(poll);
        if (done) return;
        done = true;
        reject(stop() ? new SimInterrupted(sim) : e);
      },
    );
  });
}

export function closeGpuSession(): void {
  session.close();
}

/**
 * Runs `stage` in the GPU process. `stop` (Ctrl-C) is polled while it runs: the process is then killed and this
 * rejects with SimInterrupted. `onSteps` gets the steps run so far after each chunk of steps (GpuStepsDone). `session`: the GPU
 * process to run it in (default: the one this process shares; the differential harness runs several).
 */
export async function runWebGpu(stage: SimStage, opts: { worldRange?: [number, number]; obsChunkBytes?: number; stop?: () => boolean; onSteps?: (steps: number) => void; session?: GpuSession }): Promise<SimResult> {
  const L = stage.layout;
  const [w0, w1] = opts.worldRange ?? [0, L.worlds];
  const n = (w1 - w0) * L.agents;
  const t0 = performance.now();
  const r = await stoppableRun({ stage, ...(opts.worldRange ? { worldRange: opts.worldRange } : {}), ...(opts.obsChunkBytes ? { obsChunkBytes: opts.obsChunkBytes } : {}) }, L.name, opts.stop, opts.onSteps, opts.session);
  // `check` failures first (they stop a run), worded as the CPU backend words them (finite first at one step)
  const [finiteStep, finiteAt, invStep, invAt] = r.status ?? [];
  const NONE = 0xffffffff;
  if (finiteStep !== undefined && finiteStep !== NONE && (invStep === undefined || finiteStep <= invStep)) {
    const loc = Math.floor(finiteAt! / 4);
    const col = L.columns[Math.floor(loc / n)]!;
    const i = loc % n;
    const value = ['Infinity', '-Infinity', 'NaN'][finiteAt! % 4];
    throw checkError(finiteStateFailure(L, w0, i, col.name, value!, finiteStep));
  }
  if (invStep !== undefined && invStep !== NONE) {
    const K = L.invariants.length;
    throw checkError(invariantFailure(L, w0, Math.floor(invAt! / K), invAt! % K, invStep));
  }
  // events: rows as the GPU appended them (any order), counted past the capacity on overflow
  const block: BlockEvents = {
    emitted: L.events.map((_, ei) => r.counts![ei]!),
    kinds: L.events.map((e, ei) => {
      const stride = stage.gpu.eventStrides[ei]!;
      const words = new Uint32Array(r.events![ei]!);
      const rows = words.length / stride;
      const strided = (k: number) => {
        const out = new Uint32Array(rows);
        for (let i = 0; i < rows; i++) out[i] = words[i * stride + k]!;
        return out;
      };
      const typed = (type: string, u: Uint32Array): Column => (type === 'f32' ? new Float32Array(u.buffer) : type === 'i32' ? new Int32Array(u.buffer) : u);
      return { rows, world: strided(0), agent: strided(1), step: strided(2), site: strided(3), fields: e.fields.map((f, j) => typed(f.type, strided(4 + j))) };
    }),
  };
  const events = mergeEvents(L, [block]);
  // observations: chunks of whole observations [observation][column][agent], in step order, into canonical rows
  const traj = allocTrajectory(L, w0, w1, false);
  if (traj && r.obs) {
    const cols = observedColumns(L);
    const S = traj.steps.length;
    let s = 0;
    for (const chunk of r.obs) {
      const inChunk = chunk.byteLength / (cols.length * n * 4);
      for (let q = 0; q < inChunk; q++, s++) {
        const C = cols.map((c, k) => wordsAs(L.columns[c]!.type, chunk, (q * cols.length + k) * n, n));
        observeInto(traj.fields, cols.map((_, k) => k), C, s, S, w1 - w0, L.agents);
      }
    }
  }
  // final state, as typed columns
  const finalState = L.columns.map((c, ci) => {
    const col = column(c.type, n);
    col.set(wordsAs(c.type, r.state!, ci * n, n));
    return col;
  });
  const result: SimResult = { layout: L, events, traj, finalState, stats: {} };
  checkFiniteOutputs(result);
  result.stats = { backend: 'webgpu', adapter: r.adapter ?? '', ms: performance.now() - t0, gpuMs: r.ms ?? 0, agentSteps: n * L.steps, pipelineCacheHits: r.pipelineCacheHits ?? 0, ...(r.profile ? { gpuModuleMs: r.profile.module, gpuPipelinesMs: r.profile.pipelines, gpuStepsMs: r.profile.steps, gpuReadbackMs: r.profile.readback, gpuTotalMs: r.profile.total } : {}) };
  return result;
}

/** `n` 32-bit words of a buffer from word `at`, viewed as the column type's values (bools stay 0/1 words). */
function wordsAs(type: string, buf: ArrayBuffer, at: number, n: number): Column {
  return type === 'f32' ? new Float32Array(buf, at * 4, n) : type === 'i32' ? new Int32Array(buf, at * 4, n) : new Uint32Array(buf, at * 4, n);
}

/** Runs a plain compute kernel in the GPU process (see KernelRequest): the math library's tests use it. */
export async function runKernel(kernel: NonNullable<GpuRequest['kernel']>): Promise<ArrayBuffer> {
  const r = await runInChild({ kernel }, 10 * 60_000);
  return r.output!;
}

/** Is a WebGPU adapter usable here? Probed in a child process (a crash must not take the caller down). */
export async function probeWebGpu(): Promise<{ ok: boolean; detail: string }> {
  try {
    const r = await runInChild({ probe: true }, 60_000);
    return { ok: true, detail: r.adapter ?? '' };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}
