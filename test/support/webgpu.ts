// WebGPU availability for tests. A test that needs a GPU adapter calls `needWebGpu(ctx, what)`: it runs where
// an adapter works, is skipped with its reason where none does, and fails instead where WebGPU is required
// (SYNTH_REQUIRE_WEBGPU=1 or CI; .ci/run sets both), so a broken driver install can never pass as a skip.
import type { TestContext } from 'vitest';
import { probeWebGpu } from '../../runtime/sim/gpu-host.js';
import { isRequired, skipOrFail } from './skip.js';

let probed: Promise<{ ok: boolean; detail: string }> | undefined;

/** What a test does given a probe result: 'run', 'skip' (with `reason`), or 'fail' where WebGPU is required. */
export function webgpuDecision(what: string, p: { ok: boolean; detail: string }, env: NodeJS.ProcessEnv): { action: 'run' | 'skip' | 'fail'; reason: string } {
  if (p.ok) return { action: 'run', reason: '' };
  const reason = `${what}: no WebGPU adapter (${p.detail}); install Mesa from bookworm-backports (scripts/install-system-deps.sh)`;
  return { action: isRequired(env, 'SYNTH_REQUIRE_WEBGPU') ? 'fail' : 'skip', reason };
}

/** Whether a WebGPU adapter works here (probed once per test file, in a child process). */
export async function hasWebGpu(): Promise<boolean> {
  probed ??= probeWebGpu();
  return (await probed).ok;
}

/** Returns when a WebGPU adapter works; else skips the test with the reason, or fails it where WebGPU is required. */
export async function needWebGpu(ctx: Pick<TestContext, 'skip'>, what: string): Promise<void> {
  probed ??= probeWebGpu();
  const d = webgpuDecision(what, await probed, process.env);
  if (d.action !== 'run') skipOrFail(ctx, d.reason, 'SYNTH_REQUIRE_WEBGPU');
}
