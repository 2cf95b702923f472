// Skipping a test that needs something this machine lacks (a GPU adapter, Chromium, code-server, a language
// server feature): the test calls vitest's `ctx.skip(reason)`, so the run reports it as skipped with its reason
// and never as passed. Where the capability is required — CI (`CI` set), or the capability's own variable
// (SYNTH_REQUIRE_WEBGPU=1) — it throws instead: a broken install can never pass as a skip.
import type { TestContext } from 'vitest';

/** Whether a missing capability fails the test here instead of skipping it: under CI, or when `requireVar=1`. */
export function isRequired(env: NodeJS.ProcessEnv, requireVar?: string): boolean {
  return !!env['CI'] || (requireVar !== undefined && env[requireVar] === '1');
}

/**
 * Skips the running test with `reason`, or throws (failing it) where the capability is required (`isRequired`).
 * Never returns: the test body stops here either way.
 */
export function skipOrFail(ctx: Pick<TestContext, 'skip'>, reason: string, requireVar?: string, env: NodeJS.ProcessEnv = process.env): never {
  if (isRequired(env, requireVar)) throw new Error(`${reason} — required here (${env['CI'] ? 'CI' : `${requireVar}=1`})`);
  ctx.skip(reason);
  throw new Error('unreachable: ctx.skip returned'); // vitest's skip throws; this keeps the type `never` honest
}
