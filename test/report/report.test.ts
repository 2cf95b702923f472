import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { run } from '../../runtime/run/run-plan.js';
import { CHROMIUM, CHROMIUM_ARGS, requireOrSkip } from '../support/chromium.js';
import { ROOT } from '../support/examples.js';

const SPEC = `goal "report test" { seed 9 }
enum Tier { free, pro }
struct R { tier: Tier  score: float  note: string }
dataset scores: R {
  count 400
  vary tier ~ weighted { free: 0.7, pro: 0.3 }
  vary score ~ normal(10.0, 2.0)
  vary word ~ one_of("alpha beta gamma", "delta epsilon", "zeta eta theta iota")
  row = { tier: tier, score: score, note: word + " " + str(round(score)) }
  keep tier
  expect share(tier == pro) in 0.25..0.35
  expect mean(row.score) > 50.0
  output "out/scores.jsonl"
}
`;

describe('synth report', () => {
  it('renders a self-contained page with charts and a red failed expectation', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-'));
    writeFileSync(path.join(dir, 's.synth'), SPEC);
    const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
    const summary = await run(plan, { projectRoot: dir });
    expect(summary.failedExpectations).toBe(true);
    const { html, charts } = await buildReport(path.join(dir, 'out'));
    expect(charts).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/<script[^>]+src=/); // nothing loaded from the network
    const file = path.join(dir, 'out', 'report.html');
    writeFileSync(file, html);

    if (!requireOrSkip('report browser test')) return;
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) errors.push('network request: ' + r.url());
      });
      await page.goto('file://' + file);
      await page.waitForFunction(() => document.body.dataset['chartsRendered'] !== undefined);
      expect(errors).toEqual([]);
      expect(Number(await page.evaluate(() => document.body.dataset['chartsRendered']))).toBe(charts);
      // canvases really drew something (not blank)
      const painted = await page.evaluate(() =>
        [...document.querySelectorAll('canvas')].filter((c) => {
          const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
          return false;
        }).length,
      );
      expect(painted).toBe(charts);
      const failRow = page.locator('tr.fail');
      await expect(failRow.count()).resolves.toBe(1);
      const failText = await failRow.innerText();
      expect(failText).toContain('mean(row.score) > 50.0');
      expect(failText).toMatch(/mean = (9|10|11)\.\d+/);
      expect(await failRow.evaluate((el) => getComputedStyle(el.querySelector('td.status')!).color)).toBe('rgb(185, 28, 28)');
      const outDir = path.join(ROOT, 'test-output', 'report');
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: path.join(outDir, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
