// The WebGPU backend, host side: runs the sim in an isolated child process (gpu-child.ts) and converts the
// raw buffers it returns into the same tables the CPU backend produces. Any failure of the child — no
// adapter, a WGSL compile problem, a validation error, a crash or a signal — becomes SynthError SYN6003 with
// the child's own words, never a dead CLI.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimStage } from '../../compiler/sim/plan.js';
import { SynthError } from '../../base/diagnostics.js';
import { invariantError } from './cpu.js';
import type { GpuReply, GpuRequest } from './gpu-child.js';
import { gpuConfig } from '../gpu/config.js';
import { mergeBlocks, type BlockData, type SimResult, type Table } from './result.js';

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
 * If it dies, every request in flight fails with SYN6003 and the next request starts a fresh child.
 */
class GpuSession {
  private child: ChildProcess | undefined;
  private pending = new Map<number, { resolve: (r: GpuReply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private stderr = '';

  request(message: Omit<GpuRequest, 'id'>, timeoutMs: number): Promise<GpuReply> {
    const script = childScript();
    if (!script) return Promise.reject(new SynthError('SYN6003', 'the WebGPU runner is not built (run `npm run build`)'));
    const child = this.child ?? this.start(script);
    const id = this.nextId++;
    return new Promise<GpuReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A hung driver: kill the process; the exit handler fails this and every other request.
        this.stderr += `\nno answer after ${Math.round(timeoutMs / 1000)} s`;
        child.kill('SIGKILL');
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
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
    child.on('message', (m: GpuReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m);
      else p.reject(new SynthError('SYN6003', `WebGPU: ${m.error}`));
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
      if (child.pid === undefined) fail(new SynthError('SYN6003', `could not start the WebGPU process: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
      fail(new SynthError('SYN6003', `the WebGPU process ${why} (driver failure)${tail ? `: ${tail}` : ''}`));
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
}

const session = new GpuSession();

export function runInChild(message: Omit<GpuRequest, 'id'>, timeoutMs = 30 * 60_000): Promise<GpuReply> {
  return session.request(message, timeoutMs);
}

export function closeGpuSession(): void {
  session.close();
}

export async function runWebGpu(stage: SimStage, opts: { worldRange?: [number, number]; obsChunkBytes?: number }): Promise<SimResult> {
  const L = stage.layout;
  const [w0, w1] = opts.worldRange ?? [0, L.worlds];
  const n = (w1 - w0) * L.agents;
  const t0 = performance.now();
  const r = await runInChild({ stage, ...(opts.worldRange ? { worldRange: opts.worldRange } : {}), ...(opts.obsChunkBytes ? { obsChunkBytes: opts.obsChunkBytes } : {}) });
  const decode = (type: string, u: number, f: Float32Array, i: Int32Array, k: number) => (type === 'f32' ? f[k]! : type === 'i32' ? i[k]! : u);
  // events
  const events: Table[] = L.events.map((e, ei) => {
    const stride = stage.gpu.eventStrides[ei]!;
    const buf = r.events![ei]!;
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    const iv = new Int32Array(buf);
    const rows = u.length / stride;
    const t: Table = { world: [], agent: [], step: [], site: [], fields: e.fields.map(() => []) };
    for (let k = 0; k < rows; k++) {
      const o = k * stride;
      t.world.push(u[o]!);
      t.agent.push(u[o + 1]!);
      t.step.push(u[o + 2]!);
      t.site.push(u[o + 3]!);
      e.fields.forEach((fd, j) => t.fields[j]!.push(decode(fd.type, u[o + 4 + j]!, f, iv, o + 4 + j)));
    }
    return t;
  });
  const overflow = L.events.findIndex((_, ei) => r.counts![ei]! > L.maxEvents);
  if (overflow >= 0) {
    throw new SynthError(
      'SYN6001',
      `simulation ${L.name}: event '${L.events[overflow]!.name}' overflowed its buffer (${r.counts![overflow]} emitted, capacity ${L.maxEvents}); raise \`max_events\` in the sim (events are never dropped silently)`,
    );
  }
  // observations: chunks of whole observations, in step order
  let traj: Table | null = null;
  if (L.observe && r.obs) {
    const obsCols = L.observe.fields.flatMap((fl) => L.columns.map((c, i) => (c.state === fl ? i : -1)).filter((i) => i >= 0));
    traj = { world: [], agent: [], step: [], site: [], fields: obsCols.map(() => []) };
    let s = 0;
    for (const chunk of r.obs) {
      const u = new Uint32Array(chunk);
      const f = new Float32Array(chunk);
      const iv = new Int32Array(chunk);
      const inChunk = u.length / (obsCols.length * n);
      for (let q = 0; q < inChunk; q++, s++) {
        const step = s * L.observe.every;
        for (let i = 0; i < n; i++) {
          traj.world.push(w0 + Math.floor(i / L.agents));
          traj.agent.push(i % L.agents);
          traj.step.push(step);
          traj.site.push(0);
          obsCols.forEach((c, k) => {
            const idx = (q * obsCols.length + k) * n + i;
            traj!.fields[k]!.push(decode(L.columns[c]!.type, u[idx]!, f, iv, idx));
          });
        }
      }
    }
  }
  // `check` failures, worded as the CPU backend words them (finite first when both fail at one step)
  const [finiteStep, finiteAt, invStep, invAt] = r.status ?? [];
  const NONE = 0xffffffff;
  if (finiteStep !== undefined && finiteStep !== NONE && (invStep === undefined || finiteStep <= invStep)) {
    const loc = Math.floor(finiteAt! / 4);
    const col = L.columns[Math.floor(loc / n)]!;
    const i = loc % n;
    const value = ['Infinity', '-Infinity', 'NaN'][finiteAt! % 4];
    throw new SynthError('SYN6002', `simulation ${L.name}: state ${col.name} became ${value} in world ${w0 + Math.floor(i / L.agents)}, agent ${i % L.agents} at step ${finiteStep} (\`check finite\`)`);
  }
  if (invStep !== undefined && invStep !== NONE) {
    const K = L.invariants.length;
    throw invariantError(L, w0, Math.floor(invAt! / K), invAt! % K, invStep);
  }
  // final state, as typed columns (for differential tests and `check finite`)
  const st = new Uint32Array(r.state!);
  const finalState = L.columns.map((c, ci) => {
    const words = st.subarray(ci * n, (ci + 1) * n);
    if (c.type === 'f32') return new Float32Array(words.slice().buffer);
    if (c.type === 'i32') return new Int32Array(words.slice().buffer);
    if (c.type === 'bool') return Uint8Array.from(words);
    return words.slice();
  });
  const block: BlockData = { w0, w1, events, traj, finalState };
  // The GPU already applied the capacity; mergeBlocks sorts rows into the canonical order.
  const result = mergeBlocks({ ...L, maxEvents: L.maxEvents + 1 }, [block]);
  result.layout = L;
  result.stats = { backend: 'webgpu', adapter: r.adapter ?? '', ms: performance.now() - t0, gpuMs: r.ms ?? 0, agentSteps: n * L.steps, pipelineCacheHits: r.pipelineCacheHits ?? 0 };
  return result;
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
