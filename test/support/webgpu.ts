// WebGPU availability for tests. A test that needs a GPU adapter skips loudly where there is none — and
// fails instead when SYNTH_REQUIRE_WEBGPU=1 (CI sets it), so a broken driver install can never pass as a skip.
import { probeWebGpu } from '../../runtime/sim/gpu-host.js';

let probed: Promise<{ ok: boolean; detail: string }> | undefined;

export async function webgpuOrSkip(what: string): Promise<boolean> {
  probed ??= probeWebGpu();
  const p = await probed;
  if (p.ok) return true;
  if (process.env['SYNTH_REQUIRE_WEBGPU'] === '1') throw new Error(`${what}: WebGPU is required here (SYNTH_REQUIRE_WEBGPU=1) but unavailable: ${p.detail}`);
  console.warn(`\n!!! SKIPPING ${what}: no WebGPU adapter (${p.detail}). Install Mesa from bookworm-backports (scripts/install-system-deps.sh).\n`);
  return false;
}
