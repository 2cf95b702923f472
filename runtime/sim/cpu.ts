// The CPU backend: runs the generated JavaScript kernel (compiler/sim/js.ts) over blocks of worlds. Worlds
// are independent (reductions stay inside a world), so each worker thread simulates its own block of worlds
// for all steps with no synchronisation; the main thread merges events and observations.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Column, SimLayout } from '../../compiler/sim/layout.js';
import { SynthError } from '../../base/diagnostics.js';
import { blockResult, mergeBlocks, type BlockResult, type SimResult } from './result.js';

type Arr = Float32Array | Int32Array | Uint32Array | Uint8Array;

export interface SimStage {
  layout: SimLayout;
  js: string;
}

function alloc(c: Column, n: number, shared: boolean): Arr {
  // shared memory lets a worker hand its columns back without a copy
  const bytes = c.type === 'bool' ? 1 : 4;
  const buf = shared ? new SharedArrayBuffer(n * bytes) : new ArrayBuffer(n * bytes);
  switch (c.type) {
    case 'f32':
      return new Float32Array(buf);
    case 'i32':
      return new Int32Array(buf);
    case 'u32':
      return new Uint32Array(buf);
    default:
      return new Uint8Array(buf);
  }
}

interface Kernel {
  init(C: Arr[], w0: number, w1: number): void;
  step(C: Arr[], S: Arr[], w0: number, w1: number, t: number, E: (...a: number[]) => void): void;
  checks?(C: Arr[], w0: number, w1: number, t: number): number;
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

/** Simulates worlds [w0, w1) for every step, in this thread. */
export function simulateBlock(stage: SimStage, w0: number, w1: number): BlockResult {
  const L = stage.layout;
  const kernel = kernelFor(stage.js);
  const nWorlds = w1 - w0;
  const n = nWorlds * L.agents;
  const C = L.columns.map((c) => alloc(c, n, false));
  const S = L.columns.map((c) => alloc(c, n, false));
  const block = blockResult(L, w0, w1);
  const emit = (ev: number, w: number, a: number, t: number, site: number, ...fields: number[]) => block.emit(ev, w, a, t, site, fields);
  kernel.init(C, w0, w1);
  if (L.observe) block.observe(C, 0);
  const tSteps = performance.now();
  const finiteCols = L.checkFinite ? L.columns.map((c, i) => (c.type === 'f32' ? i : -1)).filter((i) => i >= 0) : [];
  for (let t = 0; t < L.steps; t++) {
    kernel.step(C, S, w0, w1, t, emit);
    if (block.overflowed()) break;
    if (finiteCols.length) {
      for (const ci of finiteCols) {
        const col = C[ci] as Float32Array;
        for (let i = 0; i < n; i++) {
          if (!Number.isFinite(col[i]!)) {
            const w = w0 + Math.floor(i / L.agents);
            throw new SynthError(
              'SYN6002',
              `simulation ${L.name}: state ${L.columns[ci]!.name} became ${col[i]} in world ${w}, agent ${i % L.agents} at step ${t} (\`check finite\`)`,
            );
          }
        }
      }
    }
    if (kernel.checks) {
      const bad = kernel.checks(C, w0, w1, t);
      if (bad >= 0) throw invariantError(L, w0, Math.floor(bad / L.invariants.length), bad % L.invariants.length, t);
    }
    if (L.observe && (t + 1) % L.observe.every === 0) block.observe(C, t + 1);
  }
  block.finalState = C;
  block.stepMs = performance.now() - tSteps;
  return block;
}

/** SYN6004, worded the same by both backends: `i` is the agent's index within the run's first world `w0`. */
export function invariantError(L: SimLayout, w0: number, i: number, k: number, step: number): SynthError {
  return new SynthError('SYN6004', `simulation ${L.name}: \`check ${L.invariants[k]}\` failed in world ${w0 + Math.floor(i / L.agents)}, agent ${i % L.agents} at step ${step}`);
}

export interface CpuOptions {
  workers?: number;
  worldRange?: [number, number];
}

function workerPath(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/\.ts$/, '.js').replace(/cpu\.js$/, 'cpu-worker.js');
  if (here.endsWith('.js') && existsSync(js)) return js;
  // Running from sources (tests): use the compiled worker if the project has been built.
  const root = path.resolve(path.dirname(here), '../..');
  const built = path.join(root, 'dist', 'runtime', 'sim', 'cpu-worker.js');
  return existsSync(built) ? built : undefined;
}

export async function runCpu(stage: SimStage, opts: CpuOptions = {}): Promise<SimResult> {
  const L = stage.layout;
  const [lo, hi] = opts.worldRange ?? [0, L.worlds];
  const t0 = performance.now();
  const total = hi - lo;
  const want = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), total));
  const file = want > 1 ? workerPath() : undefined;
  let blocks: BlockResult[];
  if (!file || want === 1) {
    blocks = [simulateBlock(stage, lo, hi)];
  } else {
    const per = Math.ceil(total / want);
    const ranges: Array<[number, number]> = [];
    for (let w = lo; w < hi; w += per) ranges.push([w, Math.min(hi, w + per)]);
    const settled = await Promise.allSettled(
      ranges.map(
        ([a, b]) =>
          new Promise<BlockResult>((resolve, reject) => {
            const worker = new Worker(file, { workerData: { stage, w0: a, w1: b } });
            worker.once('message', (m: { ok: boolean; block?: BlockResult; error?: { code: string; message: string } }) => {
              void worker.terminate();
              if (m.ok) resolve(m.block!);
              else reject(m.error?.code ? new SynthError(m.error.code as never, m.error.message) : new Error(m.error?.message));
            });
            worker.once('error', reject);
          }),
      ),
    );
    // Report the failure of the first world block, whatever thread finished first: messages are deterministic.
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    blocks = settled.map((r) => (r as PromiseFulfilledResult<BlockResult>).value);
  }
  const result = mergeBlocks(L, blocks);
  // stepMs: the simulation loop alone (threads run in parallel, so the slowest block), without start-up.
  result.stats = { ...result.stats, backend: 'cpu', ms: performance.now() - t0, stepMs: Math.max(...blocks.map((b) => b.stepMs ?? 0)), agentSteps: total * L.agents * L.steps, workers: blocks.length };
  return result;
}

export function defaultWorkers(): number {
  const n = Number(process.env['SYNTH_CPU_WORKERS']);
  if (Number.isFinite(n) && n >= 1) return n;
  return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2);
}
