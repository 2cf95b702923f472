// WebGPU availability for tests. A test that needs a GPU adapter skips loudly where there is none — and
// fails instead when SYNTH_REQUIRE_WEBGPU=1 (CI sets it), so a broken driver install can never pass as a skip.
import { probeWebGpu } from '../../runtime/sim/gpu-host.js';

let probed: Promise<{ ok: boolean; detail: string }> | undefined;

/** What a test does given a probe result: run (true), skip with a warning (false), or throw under CI. */
export function webgpuDecision(what: string, p: { ok: boolean; detail: string }, env: NodeJS.ProcessEnv, warn: (line: string) => void): boolean {
  if (p.ok) return true;
  if (env['SYNTH_REQUIRE_WEBGPU'] === '1') throw new Error(`${what}: WebGPU is required here (SYNTH_REQUIRE_WEBGPU=1) but unavailable: ${p.detail}`);
  warn(`\n!!! SKIPPING ${what}: no WebGPU adapter (${p.detail}). Install Mesa from bookworm-backports (scripts/install-system-deps.sh).\n`);
  return false;
}

/** Resolves when a WebGPU adapter is there; otherwise skips the calling test through vitest's `ctx.skip` with the
 * reason (never a silent pass), or throws under SYNTH_REQUIRE_WEBGPU=1. */
export async function webgpuOrSkip(what: string, ctx: { skip: (note?: string) => never }): Promise<void> {
  probed ??= probeWebGpu();
  const p = await probed;
  if (!webgpuDecision(what, p, process.env, (l) => console.warn(l))) ctx.skip(`${what}: no WebGPU adapter (${p.detail})`);
}
