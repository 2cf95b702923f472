// Opens a report in headless Chromium and records everything it must not do: dialogs (alert/confirm/prompt),
// script errors, console errors, Content-Security-Policy violations, and requests for anything but the page's
// own local files. A test that needs Chromium skips with its reason where it is missing (and fails under CI,
// see test/support/chromium.ts).
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.js';
import { ROOT } from '../support/examples.js';

export interface Opened {
  page: Page;
  /** everything that went wrong, as text; a clean page leaves it empty */
  problems: string[];
  /** the alerts (and other dialogs) the page tried to open */
  dialogs: string[];
  /** CSP violations recorded so far (call again after interacting with the page) */
  cspViolations(): Promise<string[]>;
  close(): Promise<void>;
}

export { needChromium } from '../support/chromium.js';

export async function openReport(file: string, viewport = { width: 1280, height: 1000 }): Promise<Opened> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM!, args: CHROMIUM_ARGS, headless: true });
  const problems: string[] = [];
  const dialogs: string[] = [];
  try {
    const page = await browser.newPage({ viewport });
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`script error: ${String(e)}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`);
    });
    // runs before the page's own scripts (and outside its CSP): records every policy violation
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const w = window as unknown as { __cspViolations?: string[] };
        (w.__cspViolations ??= []).push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}: ${e.sample}`);
      });
    });
    await page.goto('file://' + file);
    await page
      .waitForFunction(() => document.body.dataset['chartsRendered'] !== undefined, null, { timeout: 20_000 })
      .catch(() => problems.push('the charts never finished rendering (the page script did not run to its end)'));
    const cspViolations = () => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
    problems.push(...(await cspViolations()).map((v) => `CSP violation: ${v}`));
    return { page, problems, dialogs, cspViolations, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** Where screenshots are kept (test-output/report/, ignored by git, collected by CI). */
export function screenshotPath(name: string): string {
  const dir = path.join(ROOT, 'test-output', 'report');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
