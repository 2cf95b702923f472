// The WebGPU backend, host side: runs the sim in an isolated child process (gpu-child.ts) and converts the
// raw buffers it returns into the same tables the CPU backend produces. Any failure of the child — no
// adapter, a WGSL compile problem, a validation error, a crash or a signal — becomes SynthError SYN6003 with
// the child's own words, never a dead CLI.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimStage } from '../../compiler/sim/plan.js';
import { SynthError } from '../../grammar/diagnostics.js';
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

interface ChildReply {
  ok: boolean;
  error?: string;
  adapter?: string;
  ms?: number;
  counts?: number[];
  events?: ArrayBuffer[];
  obs?: ArrayBuffer | null;
  nObs?: number;
  state?: ArrayBuffer;
}

export function runInChild(message: object, timeoutMs = 30 * 60_000): Promise<ChildReply> {
  const script = childScript();
  if (!script) return Promise.reject(new SynthError('SYN6003', 'the WebGPU runner is not built (run `npm run build`)'));
  return new Promise((resolve, reject) => {
    const child = fork(script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, EGL_PLATFORM: process.env['EGL_PLATFORM'] ?? 'surfaceless' },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    let reply: ChildReply | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (m: ChildReply) => {
      reply = m;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new SynthError('SYN6003', `could not start the WebGPU process: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply?.ok) return resolve(reply);
      if (reply && !reply.ok) return reject(new SynthError('SYN6003', `WebGPU: ${reply.error}`));
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(new SynthError('SYN6003', `the WebGPU process ${why} (driver failure)${tail ? `: ${tail}` : ''}`));
    });
    child.send(message);
  });
}

export async function runWebGpu(stage: SimStage, opts: { worldRange?: [number, number] }): Promise<SimResult> {
  const L = stage.layout;
  const [w0, w1] = opts.worldRange ?? [0, L.worlds];
  const n = (w1 - w0) * L.agents;
  const t0 = performance.now();
  const r = await runInChild({ stage, ...(opts.worldRange ? { worldRange: opts.worldRange } : {}) });
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
  // observations
  let traj: Table | null = null;
  if (L.observe && r.obs) {
    const obsCols = L.observe.fields.flatMap((fl) => L.columns.map((c, i) => (c.state === fl ? i : -1)).filter((i) => i >= 0));
    const u = new Uint32Array(r.obs);
    const f = new Float32Array(r.obs);
    const iv = new Int32Array(r.obs);
    traj = { world: [], agent: [], step: [], site: [], fields: obsCols.map(() => []) };
    for (let s = 0; s < r.nObs!; s++) {
      const step = s * L.observe.every;
      for (let i = 0; i < n; i++) {
        traj.world.push(w0 + Math.floor(i / L.agents));
        traj.agent.push(i % L.agents);
        traj.step.push(step);
        traj.site.push(0);
        obsCols.forEach((c, k) => {
          const idx = (s * obsCols.length + k) * n + i;
          traj!.fields[k]!.push(decode(L.columns[c]!.type, u[idx]!, f, iv, idx));
        });
      }
    }
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
  if (L.checkFinite) {
    L.columns.forEach((c, ci) => {
      if (c.type !== 'f32') return;
      const col = finalState[ci] as Float32Array;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(col[i]!)) {
          throw new SynthError('SYN6002', `simulation ${L.name}: state ${c.name} is ${col[i]} in world ${w0 + Math.floor(i / L.agents)}, agent ${i % L.agents} at the end of the run (\`check finite\`)`);
        }
      }
    });
  }
  const block: BlockData = { w0, w1, events, traj, finalState };
  // The GPU already applied the capacity; mergeBlocks sorts rows into the canonical order.
  const result = mergeBlocks({ ...L, maxEvents: L.maxEvents + 1 }, [block]);
  result.layout = L;
  result.stats = { backend: 'webgpu', adapter: r.adapter ?? '', ms: performance.now() - t0, gpuMs: r.ms ?? 0, agentSteps: n * L.steps };
  return result;
}

/** Is a WebGPU adapter usable here? Probed in a child process (a crash must not take the caller down). */
export async function probeWebGpu(): Promise<{ ok: boolean; detail: string }> {
  const tiny = { layout: { name: 'probe' } };
  try {
    const r = await runInChild({ probe: true, stage: tiny }, 60_000);
    return { ok: true, detail: r.adapter ?? '' };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}
