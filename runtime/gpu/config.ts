// The WebGPU configuration, read from the environment by the host and sent to the GPU process with each
// request. Kept apart from device.ts so the host never loads Dawn's native module itself.
// SYNTH_WEBGPU_BACKEND: Dawn's backend (default `opengles`: stable on Mesa's llvmpipe and reaches NVIDIA GPUs
// through EGL; `vulkan` and the others are Dawn's names). SYNTH_WEBGPU_FEATURE_LEVEL: `compatibility` (the
// default) or `core`. SYNTH_WEBGPU_POWER: `high-performance` (default) or `low-power`.
export interface GpuConfig {
  backend: string;
  featureLevel: 'compatibility' | 'core';
  powerPreference: 'high-performance' | 'low-power';
}

export function gpuConfig(env: NodeJS.ProcessEnv = process.env): GpuConfig {
  return {
    backend: env['SYNTH_WEBGPU_BACKEND'] || 'opengles',
    featureLevel: env['SYNTH_WEBGPU_FEATURE_LEVEL'] === 'core' ? 'core' : 'compatibility',
    powerPreference: env['SYNTH_WEBGPU_POWER'] === 'low-power' ? 'low-power' : 'high-performance',
  };
}

