// Headless Chromium (Debian's package) through playwright-core, for browser tests. A test that needs it calls
// `needChromium(ctx, what)`: skipped with its reason where Chromium is missing, failed instead under CI.
import { existsSync } from 'node:fs';
import type { TestContext } from 'vitest';
import { skipOrFail } from './skip.js';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Returns when Chromium is installed; else skips the test with the reason (fails it under CI). */
export function needChromium(ctx: Pick<TestContext, 'skip'>, what: string): void {
  if (!CHROMIUM) skipOrFail(ctx, `${what}: no Chromium found (apt-get install chromium)`);
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
