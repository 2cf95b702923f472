// Headless Chromium (Debian's package) through playwright-core, for browser tests. Tests that need it skip
// loudly where it is missing, and fail instead under CI.
import { existsSync } from 'node:fs';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export function requireOrSkip(what: string): boolean {
  if (CHROMIUM) return true;
  if (process.env['CI']) throw new Error(`${what}: Chromium is required under CI (apt-get install chromium)`);
  console.warn(`\n!!! SKIPPING ${what}: no Chromium found (install Debian's chromium to run it)\n`);
  return false;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
