// The GPU child process: runs sim stages through Dawn and sends back raw buffers. It is a separate process so
// a driver crash (seen with some software drivers) kills only this process; the host turns that into a
// SYN6003 diagnostic and `--backend auto` falls back to the CPU backend. The process serves requests until
// its parent goes away, keeping its device and a pipeline cache keyed by the hash of the WGSL.
//
// Steps are recorded many per command buffer (up to CHUNK steps, one submit), with the step number in a
// uniform read through a dynamic offset. Observed columns are copied out on the GPU into an observation
// buffer that holds one chunk's observations; it is read back once per chunk, together with the event
// counters and the `check` status words, so a run stops at the end of the chunk where a check failed or an
// event buffer overflowed.
import { createHash } from 'node:crypto';
import type { SimStage } from '../../compiler/sim/plan.js';
import { BINDINGS } from '../../compiler/sim/wgsl.js';
import { acquireDevice, gpuConfig, type AcquiredDevice, type GpuConfig } from '../gpu/device.js';

const CHUNK = 256;
const FRAME_STRIDE = 256; // minUniformBufferOffsetAlignment
/** Observation buffer budget per chunk: the chunk is shortened so one chunk's observations fit. */
const OBS_CHUNK_BYTES = 256 * 2 ** 20;
const NONE = 0xffffffff;
/** Pipelines kept per process (oldest dropped first). */
const PIPELINE_CACHE_SIZE = 256;

export interface GpuRequest {
  id: number;
  probe?: boolean;
  /** a plain compute kernel (tests of the math library): see `evalKernel` */
  kernel?: KernelRequest;
  stage?: SimStage;
  worldRange?: [number, number];
  config?: GpuConfig;
  /** observation buffer budget per chunk (default OBS_CHUNK_BYTES; tests make it tiny) */
  obsChunkBytes?: number;
}

/**
 * A sim's progress, sent after each chunk of steps is read back (so at most once per CHUNK steps, no extra
 * readback): the steps run so far. It is not the request's answer; the GpuReply with the same id follows.
 */
export interface GpuStepsDone {
  id: number;
  stepsDone: number;
}

export interface GpuReply {
  id: number;
  ok: boolean;
  error?: string;
  /** the sim whose generated WGSL did not compile (then `error` lists the compiler's messages): SYN9002 */
  wgslBug?: string;
  adapter?: string;
  ms?: number;
  /** per event kind: rows emitted (may exceed capacity: overflow) */
  counts?: number[];
  events?: ArrayBuffer[];
  /** observation chunks in step order; each holds whole observations of [obsCols × n] words */
  obs?: ArrayBuffer[];
  nObs?: number;
  state?: ArrayBuffer;
  /** the four `check` status words (see GpuProgram.checks) */
  status?: number[];
  /** steps actually run (fewer than the sim's when a check failed or an event buffer overflowed) */
  steps?: number;
  pipelineCacheHits?: number;
  /** where the request's time went, ms: shader module compile, pipeline creation, the steps (submits and
   *  readbacks), the final readbacks, and the whole request in this process (bench/sim/differential-profile.ts) */
  profile?: { module: number; pipelines: number; steps: number; readback: number; total: number };
  /** the output words of a `kernel` request */
  output?: ArrayBuffer;
}

/**
 * One dispatch of `entry` in `code` over `n` invocations (workgroups of 64, a 1-D grid), with bindings
 * 0: `inp` (read-only u32 words), 1: `outp` (u32 words, `outputWords` of them), 2: `u` (Frame, n = n).
 */
export interface KernelRequest {
  code: string;
  entry: string;
  input: ArrayBuffer;
  outputWords: number;
  n: number;
}

let current: { key: string; dev: AcquiredDevice; lost?: string } | undefined;
const pipelineCache = new Map<string, GpuComputePipelineEntry>();
interface GpuComputePipelineEntry {
  device: GPUDevice;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

async function device(cfg: GpuConfig): Promise<AcquiredDevice> {
  const key = JSON.stringify(cfg);
  if (current?.key === key) return current.dev;
  // Ask for the adapter's largest buffers once, so one device serves every sim this process is sent.
  const dev = await acquireDevice(cfg, { storageBufferBytes: Infinity, bufferBytes: Infinity });
  const entry: { key: string; dev: AcquiredDevice; lost?: string } = { key, dev };
  current = entry;
  pipelineCache.clear();
  // A lost device is dropped: the next request acquires a fresh one.
  void dev.device.lost.then((i) => {
    entry.lost = i.message || i.reason;
    if (current === entry) current = undefined;
  });
  return dev;
}

function bindGroupLayout(dev: GPUDevice): GPUBindGroupLayout {
  // The layout comes from the compiler's BINDINGS table, which a test checks against the reflected WGSL.
  return dev.createBindGroupLayout({
    entries: BINDINGS.map((b) => ({
      binding: b.binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer:
        b.kind === 'uniform'
          ? { type: 'uniform' as const, hasDynamicOffset: true, minBindingSize: b.size }
          : { type: b.access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
    })),
  });
}

async function pipelines(dev: GPUDevice, code: string, entries: Array<[string, number]>, simName: string): Promise<{ map: Map<string, GPUComputePipeline>; layout: GPUBindGroupLayout; hits: number; moduleMs: number }> {
  const hash = createHash('sha256').update(code).digest('hex');
  const map = new Map<string, GPUComputePipeline>();
  let layout: GPUBindGroupLayout | undefined;
  let hits = 0;
  const missing = entries.filter(([e, size]) => {
    const hit = pipelineCache.get(`${hash}:${e}:${size}`);
    if (hit && hit.device === dev) {
      map.set(e, hit.pipeline);
      layout = hit.layout;
      hits++;
      return false;
    }
    return true;
  });
  let moduleMs = 0;
  if (missing.length) {
    const tm = performance.now();
    const module = dev.createShaderModule({ code });
    const info = await module.getCompilationInfo();
    moduleMs = performance.now() - tm;
    // Warnings count too: generated WGSL must compile cleanly, a warning is a compiler bug to fix.
    const problems = info.messages.filter((m) => m.type === 'error' || m.type === 'warning');
    if (problems.length) {
      // our WGSL rejected by the driver's compiler is a bug in Synth (SYN9002), not a driver failure
      throw Object.assign(new Error(problems.map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`).join('; ')), { wgslBug: simName });
    }
    layout ??= bindGroupLayout(dev);
    const pipelineLayout = dev.createPipelineLayout({ bindGroupLayouts: [layout] });
    for (const [e, size] of missing) {
      const p = dev.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint: e, constants: { WG: size } } });
      // bounded: a process that serves many programs (the generated differential tests) must not grow forever
      if (pipelineCache.size >= PIPELINE_CACHE_SIZE) pipelineCache.delete(pipelineCache.keys().next().value!);
      pipelineCache.set(`${hash}:${e}:${size}`, { device: dev, pipeline: p, layout });
      map.set(e, p);
    }
  }
  return { map, layout: layout!, hits, moduleMs };
}

async function run(req: GpuRequest): Promise<Omit<GpuReply, 'id'>> {
  const tStart = performance.now();
  const cfg = req.config ?? gpuConfig();
  const acquired = await device(cfg);
  const { device: dev, adapterInfo, limits } = acquired;
  const lost = () => current?.dev !== acquired;
  if (req.probe) return { ok: true, adapter: adapterInfo };
  if (req.kernel) return { ok: true, adapter: adapterInfo, output: await evalKernel(dev, req.kernel) };
  const s = req.stage!;
  const L = s.layout;
  const [w0, w1] = req.worldRange ?? [0, L.worlds];
  const n = (w1 - w0) * L.agents;
  const nCols = L.columns.length;
  const NE = L.events.length;
  const stateBytes = Math.max(4, nCols * n * 4);
  const eventWords = L.events.reduce((a, e, i) => a + L.maxEvents * s.gpu.eventStrides[i]!, 0);
  const eventBytes = Math.max(4, eventWords * 4);
  const maxBinding = limits['maxStorageBufferBindingSize']!;
  for (const [what, bytes] of [['state', stateBytes], ['event', eventBytes]] as const) {
    if (bytes > maxBinding) {
      throw new Error(
        `sim ${L.name} needs a ${Math.ceil(bytes / 2 ** 20)} MiB ${what} buffer; this adapter allows ${Math.floor(maxBinding / 2 ** 20)} MiB (${what === 'state' ? 'use fewer worlds or agents' : 'lower `max_events`'}, shard the run, or use the CPU backend)`,
      );
    }
  }
  const obsCols = L.observe ? L.observe.fields.flatMap((f) => L.columns.map((c, i) => (c.state === f ? i : -1)).filter((i) => i >= 0)) : [];
  // Error scopes are popped on every path (finally): the device outlives this run.
  dev.pushErrorScope('validation');
  dev.pushErrorScope('out-of-memory');
  let scopes = 2;

  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const owned: GPUBuffer[] = [];
  // Each kernel's workgroup size: the compiler's preference, within what the device allows.
  const maxWg = Math.min(limits['maxComputeWorkgroupSizeX']!, limits['maxComputeInvocationsPerWorkgroup']!);
  const sizeOf = (e: string) => Math.max(1, Math.min(s.gpu.workgroupSizes?.[e] ?? s.gpu.workgroupSize, maxWg));
  const entries = [...s.gpu.phases.map((p) => p.entry), ...(s.gpu.checks ? [s.gpu.checks] : [])].map((e) => [e, sizeOf(e)] as [string, number]);
  const buffer = (size: number, u: number) => {
    const b = dev.createBuffer({ size, usage: u });
    owned.push(b);
    return b;
  };
  try {
    const tp = performance.now();
    const { map: pipes, layout, hits, moduleMs } = await pipelines(dev, s.gpu.module, entries, L.name);
    const pipelinesMs = performance.now() - tp - moduleMs;
    const state = buffer(stateBytes, usage);
    const snap = buffer(stateBytes, usage);
    const countWords = NE + 4;
    const counts = buffer(countWords * 4, usage);
    const countInit = new Uint32Array(countWords);
    countInit.fill(NONE, NE);
    dev.queue.writeBuffer(counts, 0, countInit);
    const events = buffer(eventBytes, usage);
    const frames = buffer(FRAME_STRIDE * CHUNK, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const bind = dev.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: state } },
        { binding: 1, resource: { buffer: snap } },
        { binding: 2, resource: { buffer: counts } },
        { binding: 3, resource: { buffer: events } },
        { binding: 4, resource: { buffer: frames, size: 16 } },
      ],
    });
    // Dispatch geometry that works past 65,535 workgroups: a 2-D grid, flattened in the shader.
    const grid = new Map(
      entries.map(([e, size]) => {
        const wg = Math.ceil(n / size);
        const gx = Math.max(1, Math.min(wg, 65535));
        return [e, [gx, Math.max(1, Math.ceil(wg / gx))] as const];
      }),
    );
    const width = 0; // Frame.width: kept in the layout, unused since kernels read num_workgroups

    // One observation is obsCols × n words; a chunk of steps holds at most `perChunk` of them.
    const obsBytesEach = obsCols.length * n * 4;
    const every = L.observe?.every ?? 0;
    let chunkSteps = CHUNK;
    if (obsBytesEach > 0) chunkSteps = Math.max(1, Math.min(CHUNK, Math.floor((req.obsChunkBytes ?? OBS_CHUNK_BYTES) / obsBytesEach) * every - 1));
    const perChunk = obsBytesEach > 0 ? Math.floor(chunkSteps / every) + 1 : 0;
    const obsBuf = perChunk > 0 ? buffer(perChunk * obsBytesEach, GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC) : undefined;
    const obsStaging = obsBuf ? buffer(perChunk * obsBytesEach, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ) : undefined;
    const countStaging = buffer(countWords * 4, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    const obsOut: ArrayBuffer[] = [];
    let inChunk = 0;
    let nObs = 0;
    const observe = (enc: GPUCommandEncoder) => {
      obsCols.forEach((c, k) => enc.copyBufferToBuffer(state, c * n * 4, obsBuf!, (inChunk * obsCols.length + k) * n * 4, n * 4));
      inChunk++;
      nObs++;
    };
    const dispatch = (enc: GPUCommandEncoder, entry: string, frame: number) => {
      const pass = enc.beginComputePass();
      pass.setPipeline(pipes.get(entry)!);
      pass.setBindGroup(0, bind, [frame * FRAME_STRIDE]);
      pass.dispatchWorkgroups(...grid.get(entry)!);
      pass.end();
    };
    /** Ends a chunk: one submit, then one readback of its observations and of the counters. */
    const finishChunk = async (enc: GPUCommandEncoder): Promise<Uint32Array> => {
      if (inChunk > 0) enc.copyBufferToBuffer(obsBuf!, 0, obsStaging!, 0, inChunk * obsBytesEach);
      enc.copyBufferToBuffer(counts, 0, countStaging, 0, countWords * 4);
      dev.queue.submit([enc.finish()]);
      const reads: Promise<void>[] = [countStaging.mapAsync(GPUMapMode.READ)];
      if (inChunk > 0) reads.push(obsStaging!.mapAsync(GPUMapMode.READ, 0, inChunk * obsBytesEach));
      await Promise.all(reads);
      if (lost()) throw new Error('the GPU device was lost (driver reset or failure)');
      const words = new Uint32Array(countStaging.getMappedRange().slice(0));
      countStaging.unmap();
      if (inChunk > 0) {
        obsOut.push(obsStaging!.getMappedRange(0, inChunk * obsBytesEach).slice(0));
        obsStaging!.unmap();
      }
      inChunk = 0;
      return words;
    };
    // A failed `check` stops the run (at the end of its chunk); an overflowing event buffer does not: the run
    // goes on counting, so the error names the same total as the CPU backend's.
    const stopped = (w: Uint32Array) => w[NE] !== NONE || w[NE + 2] !== NONE;

    const frameData = new Uint32Array((FRAME_STRIDE / 4) * CHUNK);
    const t0 = performance.now();
    frameData.set([0, w0, n, width], 0);
    dev.queue.writeBuffer(frames, 0, frameData, 0, 4);
    let enc = dev.createCommandEncoder();
    dispatch(enc, 'init', 0);
    if (obsBuf) observe(enc);
    let status = await finishChunk(enc);
    let ran = 0;
    while (ran < L.steps && !stopped(status)) {
      const k = Math.min(chunkSteps, L.steps - ran);
      for (let j = 0; j < k; j++) frameData.set([ran + j, w0, n, width], (j * FRAME_STRIDE) / 4);
      dev.queue.writeBuffer(frames, 0, frameData, 0, (k * FRAME_STRIDE) / 4);
      enc = dev.createCommandEncoder();
      for (let j = 0; j < k; j++) {
        for (const ph of s.gpu.phases.slice(1)) {
          for (const c of ph.snapshot) enc.copyBufferToBuffer(state, c * n * 4, snap, c * n * 4, n * 4);
          dispatch(enc, ph.entry, j);
        }
        if (s.gpu.checks) dispatch(enc, s.gpu.checks, j);
        if (obsBuf && (ran + j + 1) % every === 0) observe(enc);
      }
      status = await finishChunk(enc);
      ran += k;
      if (ran < L.steps) process.send!({ id: req.id, stepsDone: ran } satisfies GpuStepsDone);
    }
    scopes--;
    const oom = await dev.popErrorScope();
    if (oom) throw new Error(`the GPU ran out of memory: ${oom.message} (use fewer worlds, shard the run, or use the CPU backend)`);
    scopes--;
    const err = await dev.popErrorScope();
    if (err) throw new Error(`WebGPU validation error: ${err.message}`);
    const ms = performance.now() - t0;
    const tr = performance.now();

    const read = async (buf: GPUBuffer, offset: number, size: number): Promise<ArrayBuffer> => {
      if (size === 0) return new ArrayBuffer(0);
      const staging = dev.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const e = dev.createCommandEncoder();
      e.copyBufferToBuffer(buf, offset, staging, 0, size);
      dev.queue.submit([e.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const out = staging.getMappedRange().slice(0);
      staging.unmap();
      staging.destroy();
      return out;
    };
    const eventBufs: ArrayBuffer[] = [];
    let off = 0;
    for (let e = 0; e < NE; e++) {
      const stride = s.gpu.eventStrides[e]!;
      const rows = Math.min(status[e]!, L.maxEvents);
      eventBufs.push(await read(events, off * 4, rows * stride * 4));
      off += L.maxEvents * stride;
    }
    const finalState = await read(state, 0, nCols * n * 4);
    return {
      ok: true,
      adapter: adapterInfo,
      ms,
      profile: { module: moduleMs, pipelines: pipelinesMs, steps: ms, readback: performance.now() - tr, total: performance.now() - tStart },
      counts: [...status.subarray(0, NE)],
      status: [...status.subarray(NE)],
      events: eventBufs,
      obs: obsOut,
      nObs,
      steps: ran,
      state: finalState,
      pipelineCacheHits: hits,
    };
  } finally {
    for (const b of owned) b.destroy();
    while (scopes-- > 0) await dev.popErrorScope().catch(() => null);
  }
}

async function evalKernel(dev: GPUDevice, k: KernelRequest): Promise<ArrayBuffer> {
  dev.pushErrorScope('validation');
  const module = dev.createShaderModule({ code: k.code });
  const info = await module.getCompilationInfo();
  const problems = info.messages.filter((m) => m.type === 'error' || m.type === 'warning');
  if (problems.length) {
    await dev.popErrorScope();
    throw new Error('kernel did not compile cleanly:\n' + problems.map((m) => `  ${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n'));
  }
  const pipeline = dev.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: k.entry } });
  const inp = dev.createBuffer({ size: Math.max(4, k.input.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const out = dev.createBuffer({ size: Math.max(4, k.outputWords * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const uni = dev.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const staging = dev.createBuffer({ size: Math.max(4, k.outputWords * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    dev.queue.writeBuffer(inp, 0, k.input);
    dev.queue.writeBuffer(uni, 0, new Uint32Array([0, 0, k.n, 0]));
    const bind = dev.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: inp } },
        { binding: 1, resource: { buffer: out } },
        { binding: 2, resource: { buffer: uni } },
      ],
    });
    const enc = dev.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.max(1, Math.ceil(k.n / 64)));
    pass.end();
    enc.copyBufferToBuffer(out, 0, staging, 0, Math.max(4, k.outputWords * 4));
    dev.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const result = staging.getMappedRange().slice(0, k.outputWords * 4);
    staging.unmap();
    const err = await dev.popErrorScope();
    if (err) throw new Error(`WebGPU validation error: ${err.message}`);
    return result;
  } finally {
    for (const b of [inp, out, uni, staging]) b.destroy();
  }
}

// Fault injection for tests of the crash path (a driver that kills the process): SYNTH_GPU_FAULT=crash.
if (process.env['SYNTH_GPU_FAULT'] === 'crash') process.kill(process.pid, 'SIGSEGV');

// Requests run one at a time, in order: one device, one queue.
let queue: Promise<void> = Promise.resolve();
process.on('message', (req: GpuRequest) => {
  queue = queue.then(() =>
    run(req).then(
      (res) => void process.send!({ id: req.id, ...res }),
      // one line: the parent shows it in a one-line note or error, where a newline is a control character
      (e: unknown) =>
        void process.send!({ id: req.id, ok: false, error: (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, '; '), ...(e instanceof Error && 'wgslBug' in e ? { wgslBug: String(e.wgslBug) } : {}) }),
    ),
  );
});
// Ctrl-C in a terminal reaches every process of its group, this one too: the parent decides (it stops this
// process when the run is to stop), so a Ctrl-C never reads as a crashed driver (SYN6009) and a CPU fallback.
process.on('SIGINT', () => {});
// The parent went away (it exited, or stopped using the GPU): nothing else to serve.
process.on('disconnect', () => process.exit(0));
