// Acquiring a WebGPU device through Dawn (the `webgpu` package). The Dawn backend and feature level are
// configuration, not code: SYNTH_WEBGPU_BACKEND (default `opengles`: stable on Mesa's llvmpipe and reaches
// NVIDIA GPUs through EGL; `vulkan` and others are Dawn's names) and SYNTH_WEBGPU_FEATURE_LEVEL
// (`compatibility`, the default, or `core`). Only ever called in the isolated GPU child process.
import { create, globals } from 'webgpu';

export { gpuConfig, type GpuConfig } from './config.js';
import type { GpuConfig } from './config.js';

export interface AcquiredDevice {
  device: GPUDevice;
  adapterInfo: string;
  limits: Record<string, number>;
}

/**
 * Dawn's instance and adapter must stay reachable while the device is used: if the GC collects them, the
 * native side is torn down under the device and the process segfaults. Keep them for the process lifetime.
 */
const keepAlive: unknown[] = [];

/** Dawn's real backends. `null` is refused: it "runs" kernels without computing anything. */
export const DAWN_BACKENDS = ['opengles', 'opengl', 'vulkan', 'metal', 'd3d12', 'd3d11'];

/** `need`: the buffer sizes to request (Infinity: as large as the adapter allows). */
export async function acquireDevice(cfg: GpuConfig, need: { storageBufferBytes: number; bufferBytes: number }): Promise<AcquiredDevice> {
  if (!DAWN_BACKENDS.includes(cfg.backend)) {
    throw new Error(`unknown Dawn backend '${cfg.backend}' in SYNTH_WEBGPU_BACKEND (use one of ${DAWN_BACKENDS.join(', ')})`);
  }
  if (!process.env['EGL_PLATFORM']) process.env['EGL_PLATFORM'] = 'surfaceless';
  Object.assign(globalThis, globals);
  const gpu = create([`backend=${cfg.backend}`]);
  const adapter = await gpu.requestAdapter({ featureLevel: cfg.featureLevel, powerPreference: cfg.powerPreference } as GPURequestAdapterOptions);
  if (!adapter) throw new Error(`no WebGPU adapter (Dawn backend '${cfg.backend}', feature level '${cfg.featureLevel}')`);
  const L = adapter.limits;
  const want = (name: keyof GPUSupportedLimits, v: number) => Math.min(v, Number(L[name]));
  if (Number.isFinite(need.storageBufferBytes) && need.storageBufferBytes > Number(L.maxStorageBufferBindingSize)) {
    throw new Error(`the simulation needs a ${Math.ceil(need.storageBufferBytes / 2 ** 20)} MiB storage buffer; this adapter allows ${Math.floor(Number(L.maxStorageBufferBindingSize) / 2 ** 20)} MiB (use fewer worlds or the CPU backend)`);
  }
  const requiredLimits: Record<string, number> = {
    maxStorageBuffersPerShaderStage: want('maxStorageBuffersPerShaderStage', 4),
    maxStorageBufferBindingSize: want('maxStorageBufferBindingSize', need.storageBufferBytes),
    maxBufferSize: want('maxBufferSize', need.bufferBytes),
    maxComputeWorkgroupSizeX: want('maxComputeWorkgroupSizeX', 256),
    maxComputeInvocationsPerWorkgroup: want('maxComputeInvocationsPerWorkgroup', 256),
  };
  const device = await adapter.requestDevice({ requiredLimits });
  keepAlive.push(gpu, adapter, device);
  const info = (adapter as unknown as { info?: { description?: string; vendor?: string } }).info;
  return { device, adapterInfo: info?.description || info?.vendor || 'unknown adapter', limits: requiredLimits };
}
