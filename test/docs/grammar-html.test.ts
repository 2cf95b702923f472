// docs/grammar.html is generated from the parser (scripts/gen-grammar-docs.ts): it must be up to date, must
// not load anything from the network, and must draw one railroad diagram per parser rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getParser } from '../../grammar/cst-parser.js';
import { GRAMMAR_HTML, grammarHtml } from '../../scripts/gen-grammar-docs.js';
import { CHROMIUM, CHROMIUM_ARGS, needChromium } from '../support/chromium.js';

describe('docs/grammar.html', () => {
  const committed = readFileSync(GRAMMAR_HTML, 'utf8');

  it('regenerates byte for byte (run `npm run docs:grammar` after changing the grammar)', () => {
    expect(grammarHtml() === committed).toBe(true);
  });

  it('is self-contained', () => {
    expect(committed).not.toMatch(/<script[^>]+src=|<link[^>]+href=|unpkg\.com/);
    for (const rule of Object.keys(getParser().getGAstProductions())) expect(committed).toContain(`"name": "${rule}"`);
  });

  it('draws every rule offline in Chromium', async (ctx) => {
    needChromium(ctx, 'grammar.html rendering');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent(committed, { waitUntil: 'load' });
      const diagrams = await page.locator('#diagrams svg').count();
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(diagrams).toBe(Object.keys(getParser().getGAstProductions()).length);
    } finally {
      await browser.close();
    }
  });
});
