// The GPU child process: runs one sim stage through Dawn and sends back raw buffers. It is a separate
// process so a driver crash (seen with some software drivers) kills only this process; the host turns that
// into a SYN6003 diagnostic and `--backend auto` falls back to the CPU backend.
//
// Steps are recorded many per command buffer (CHUNK steps, one submit), with the step number in a uniform
// read through a dynamic offset; observed columns are copied out on the GPU and read back once per chunk.
import type { SimStage } from '../../compiler/sim/plan.js';
import { BINDINGS } from '../../compiler/sim/wgsl.js';
import { acquireDevice, gpuConfig } from '../gpu/device.js';

const CHUNK = 256;
const FRAME_STRIDE = 256; // minUniformBufferOffsetAlignment

interface Request {
  stage: SimStage;
  worldRange?: [number, number];
  probe?: boolean;
}

async function run(req: Request) {
  if (req.probe) {
    const { adapterInfo } = await acquireDevice(gpuConfig(), { storageBufferBytes: 4, bufferBytes: 4 });
    return { ok: true, adapter: adapterInfo };
  }
  const s = req.stage;
  const L = s.layout;
  const [w0, w1] = req.worldRange ?? [0, L.worlds];
  const n = (w1 - w0) * L.agents;
  const nCols = L.columns.length;
  const stateBytes = Math.max(4, nCols * n * 4);
  const eventWords = L.events.reduce((a, e, i) => a + L.maxEvents * s.gpu.eventStrides[i]!, 0);
  const eventBytes = Math.max(4, eventWords * 4);
  const obsCols = L.observe ? L.observe.fields.flatMap((f) => L.columns.map((c, i) => (c.state === f ? i : -1)).filter((i) => i >= 0)) : [];
  const { device, adapterInfo } = await acquireDevice(gpuConfig(), { storageBufferBytes: Math.max(stateBytes, eventBytes), bufferBytes: Math.max(stateBytes, eventBytes) });
  let deviceLost: string | undefined;
  void device.lost.then((i) => (deviceLost = i.message));
  device.pushErrorScope('validation');

  const module = device.createShaderModule({ code: s.gpu.module });
  const info = await module.getCompilationInfo();
  const problems = info.messages.filter((m) => m.type === 'error' || m.type === 'warning');
  if (problems.length) {
    throw new Error(`generated WGSL for sim ${L.name} did not compile cleanly:\n` + problems.map((m) => `  ${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n'));
  }
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const state = device.createBuffer({ size: stateBytes, usage });
  const snap = device.createBuffer({ size: stateBytes, usage });
  const counts = device.createBuffer({ size: Math.max(4, L.events.length * 4), usage });
  const events = device.createBuffer({ size: eventBytes, usage });
  const frames = device.createBuffer({ size: FRAME_STRIDE * CHUNK, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  // The layout comes from the compiler's BINDINGS table, which a test checks against the reflected WGSL.
  const layout = device.createBindGroupLayout({
    entries: BINDINGS.map((b) => ({
      binding: b.binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer:
        b.kind === 'uniform'
          ? { type: 'uniform' as const, hasDynamicOffset: true, minBindingSize: b.size }
          : { type: b.access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
    })),
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const pipelines = new Map<string, GPUComputePipeline>();
  for (const ph of s.gpu.phases) {
    pipelines.set(ph.entry, device.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint: ph.entry } }));
  }
  const bind = device.createBindGroup({
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
  const wg = Math.ceil(n / s.gpu.workgroupSize);
  const gx = Math.max(1, Math.min(wg, 65535));
  const gy = Math.max(1, Math.ceil(wg / gx));
  const width = gx * s.gpu.workgroupSize;

  const nObs = L.observe ? Math.floor(L.steps / L.observe.every) + 1 : 0;
  const obsBytes = nObs * obsCols.length * n * 4;
  const obs = obsBytes > 0 ? device.createBuffer({ size: obsBytes, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC }) : undefined;
  let obsIndex = 0;
  const observe = (enc: GPUCommandEncoder) => {
    obsCols.forEach((c, k) => enc.copyBufferToBuffer(state, c * n * 4, obs!, (obsIndex * obsCols.length + k) * n * 4, n * 4));
    obsIndex++;
  };
  const frameData = new Uint32Array((FRAME_STRIDE / 4) * CHUNK);
  const t0 = performance.now();
  // init (step 0 frame)
  {
    frameData.set([0, w0, n, width], 0);
    device.queue.writeBuffer(frames, 0, frameData, 0, 4);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipelines.get('init')!);
    pass.setBindGroup(0, bind, [0]);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
    if (obs) observe(enc);
    device.queue.submit([enc.finish()]);
  }
  for (let t0s = 0; t0s < L.steps; t0s += CHUNK) {
    const k = Math.min(CHUNK, L.steps - t0s);
    for (let j = 0; j < k; j++) frameData.set([t0s + j, w0, n, width], (j * FRAME_STRIDE) / 4);
    device.queue.writeBuffer(frames, 0, frameData, 0, (k * FRAME_STRIDE) / 4);
    const enc = device.createCommandEncoder();
    for (let j = 0; j < k; j++) {
      const t = t0s + j;
      for (const ph of s.gpu.phases.slice(1)) {
        for (const c of ph.snapshot) enc.copyBufferToBuffer(state, c * n * 4, snap, c * n * 4, n * 4);
        const pass = enc.beginComputePass();
        pass.setPipeline(pipelines.get(ph.entry)!);
        pass.setBindGroup(0, bind, [j * FRAME_STRIDE]);
        pass.dispatchWorkgroups(gx, gy);
        pass.end();
      }
      if (obs && (t + 1) % L.observe!.every === 0) observe(enc);
    }
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    if (deviceLost) throw new Error(`GPU device lost: ${deviceLost}`);
  }
  const err = await device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
  const ms = performance.now() - t0;

  const read = async (buf: GPUBuffer, offset: number, size: number): Promise<ArrayBuffer> => {
    if (size === 0) return new ArrayBuffer(0);
    const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buf, offset, staging, 0, size);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    return out;
  };
  const countWords = new Uint32Array(await read(counts, 0, L.events.length * 4));
  const eventBufs: ArrayBuffer[] = [];
  let off = 0;
  for (let e = 0; e < L.events.length; e++) {
    const stride = s.gpu.eventStrides[e]!;
    const rows = Math.min(countWords[e]!, L.maxEvents);
    eventBufs.push(await read(events, off * 4, rows * stride * 4));
    off += L.maxEvents * stride;
  }
  return {
    ok: true,
    adapter: adapterInfo,
    ms,
    counts: [...countWords],
    events: eventBufs,
    obs: obs ? await read(obs, 0, obsBytes) : null,
    nObs,
    state: await read(state, 0, nCols * n * 4),
  };
}

// Fault injection for tests of the crash path (a driver that kills the process): SYNTH_GPU_FAULT=crash.
if (process.env['SYNTH_GPU_FAULT'] === 'crash') process.kill(process.pid, 'SIGSEGV');

process.on('message', (req: Request) => {
  run(req).then(
    (res) => {
      process.send!(res, () => process.exit(0));
    },
    (e: unknown) => {
      process.send!({ ok: false, error: e instanceof Error ? e.message : String(e) }, () => process.exit(0));
    },
  );
});
