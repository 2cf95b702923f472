// Issue #17: the report treats every value as hostile. An output folder whose data, column names and manifests
// are full of markup and script (any LLM answer or document can contain them) opens in headless Chromium with
// no dialog, no script error, no CSP violation and no network request, and every hostile string reads as text.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { visibleText } from '../../runtime/report/html.js';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../runtime/dataset/csv.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { makePng } from '../support/png.js';
import { needChromium, openReport, screenshotPath } from './browser.js';

/** Payloads for every context: script end, tags with handlers, attribute breakouts, comments, URLs, separators. */
export const HOSTILE = [
  '</script><script>alert("script")</script>',
  '<img src=x onerror=alert("img")>',
  '"><svg onload=alert("attr")>',
  "'><b onmouseover=alert('single')>x</b>",
  '<!-- <script>alert("comment")</script> -->',
  'javascript:alert("url")',
  '<iframe src="http://127.0.0.1:9/frame"></iframe>',
  '<link rel=stylesheet href="http://127.0.0.1:9/x.css">',
  '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">',
  '<style>body{display:none}</style>',
  '&amp; &lt;b&gt; literal entities',
  'line\u2028separator\u2029and\u202Eright-to-left',
  '{{constructor.constructor("alert(1)")()}}',
  '${alert("template")}',
];

const COLUMN_NAMES = {
  text: '</script><script>alert("colname")</script>',
  enum: '<img src=x onerror=alert("enumcol")>',
  bool: '"><b onmouseover=alert("boolcol")>flag</b>',
  int: '__proto__',
  f32: 'constructor',
  object: "'><svg onload=alert('objcol')>",
  empty: '<iframe src="http://127.0.0.1:9/col"></iframe>',
};

const ROWS = 12; // ≤ the sample's 20 rows, so every row (and every payload) is shown

function manifest(name: string, output: string, format: string, schema: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    synth: 'manifest',
    tool: '0.1.0',
    spec: '<script>alert("spec")</script>.synth',
    plan: '"><img src=x onerror=alert("plan")>',
    dataset: { name, hash: 'h', seed: 3, output, format, split: null },
    counts: { written: ROWS, rows: ROWS, failed: 0, filtered: 0, duplicates: 0, calls: 0, cached: 0, retried: 0 },
    tokens: { prompt: 0, completion: 0 },
    cost_usd: 0,
    splits: { [HOSTILE[1]!]: ROWS },
    expects: [
      { text: HOSTILE[0], passed: false, measured: { [HOSTILE[2]! + '#0']: 0.5 }, error: '</td></tr></table><script>alert("error")</script>' },
      { text: 'share(x) > 0.1', passed: true, measured: { share: 0.25 } },
    ],
    status: '<b onmouseover=alert("status")>complete</b>',
    wall_ms: 10,
    backend: '<script>alert("backend")</script>',
    vary: [{ name: COLUMN_NAMES.enum, mode: 'sample', sampler: { kind: 'choice', values: [HOSTILE[1], HOSTILE[2], 'plain'], weights: [1, 1, 1] }, kept: true }],
    row: { type: 'Hostile', schema },
    ...extra,
  });
}

function hostileFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-hostile-'));
  const enumValues = [HOSTILE[1]!, HOSTILE[2]!, 'plain'];
  const schema = {
    type: 'object',
    properties: {
      [COLUMN_NAMES.text]: { type: 'string' },
      [COLUMN_NAMES.enum]: { type: 'string', enum: enumValues },
      [COLUMN_NAMES.bool]: { type: 'boolean' },
      [COLUMN_NAMES.int]: { type: 'integer' },
      [COLUMN_NAMES.f32]: { type: 'number' },
      [COLUMN_NAMES.object]: { type: 'object' },
      [COLUMN_NAMES.empty]: { type: ['string', 'null'] },
    },
  };
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    [COLUMN_NAMES.text]: HOSTILE[i % HOSTILE.length]! + ` #${i}`,
    [COLUMN_NAMES.enum]: enumValues[i % 3]!,
    [COLUMN_NAMES.bool]: i % 2 === 0,
    [COLUMN_NAMES.int]: i,
    [COLUMN_NAMES.f32]: Math.fround(i / 10),
    [COLUMN_NAMES.object]: { html: HOSTILE[(i + 3) % HOSTILE.length], list: [HOSTILE[(i + 5) % HOSTILE.length]] },
    [COLUMN_NAMES.empty]: null,
  }));

  // JSONL, with a hostile dataset name and output file name (no slash: it must be a name in this folder)
  const jsonlName = '<img src=x onerror=alert("file")>.jsonl';
  writeFileSync(path.join(dir, jsonlName), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(path.join(dir, 'a.manifest.json'), manifest('<script>alert("dataset")</script>', jsonlName, 'jsonl', schema));

  // CSV: header cells with commas, quotes and line breaks
  const csvCols = ['a,b <script>alert("csv1")</script>', 'x"y\' onmouseover="alert(2)', 'line\nbreak <img src=x onerror=alert(3)>'];
  const csvRows = Array.from({ length: ROWS }, (_, i) => [HOSTILE[(i + 7) % HOSTILE.length]!, HOSTILE[(i + 1) % HOSTILE.length]!, String(i)]);
  writeFileSync(path.join(dir, 'b.csv'), [csvCols, ...csvRows].map((r) => r.map((c) => csvCell(c)).join(',')).join('\n') + '\n');
  writeFileSync(path.join(dir, 'b.manifest.json'), manifest('csv "data"', 'b.csv', 'csv', { type: 'object', properties: {} }));

  // Parquet
  const pq = parquetWriteBuffer({
    columnData: [
      { name: '<svg onload=alert("pq")>', data: Array.from({ length: ROWS }, (_, i) => HOSTILE[(i + 2) % HOSTILE.length]!), type: 'STRING' },
      { name: 'n', data: Array.from({ length: ROWS }, (_, i) => BigInt(i * 1000)), type: 'INT64' },
    ],
  } as Parameters<typeof parquetWriteBuffer>[0]);
  writeFileSync(path.join(dir, 'c.parquet'), new Uint8Array(pq));
  writeFileSync(path.join(dir, 'c.manifest.json'), manifest("parquet '<b>'", 'c.parquet', 'parquet', {}));

  // images: paths from data may be URLs or scripts; only the relative one may load
  writeFileSync(path.join(dir, 'ok.png'), makePng(8, 8, 1));
  const imgRows = [
    { img: 'ok.png', img_group: HOSTILE[0], img_sha256: 'abc', caption: HOSTILE[1] },
    { img: 'http://127.0.0.1:9/remote.png', img_group: HOSTILE[0], img_sha256: 'def', caption: HOSTILE[1] },
    { img: 'javascript:alert("img")', img_group: 'g2', img_sha256: 'ghi', caption: HOSTILE[4] },
    { img: '/etc/passwd', img_group: 'g3', img_sha256: 'jkl', caption: HOSTILE[5] },
  ];
  writeFileSync(path.join(dir, 'd.jsonl'), imgRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(path.join(dir, 'd.manifest.json'), manifest('images', 'd.jsonl', 'jsonl', {}));
  return dir;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('report safety (issue #17)', () => {
  it('hostile values and column names in every column kind: no dialog, script error, CSP violation or request; all visible as text', async (ctx) => {
    const dir = hostileFolder();
    const file = path.join(dir, 'report.html');
    const { html } = await buildReport(dir, file);
    writeFileSync(file, html);
    // static checks that hold without a browser
    expect(html.match(/<script\b/g)).toHaveLength(3);
    const markup = html.slice(0, html.indexOf('<script'));
    expect(markup).not.toMatch(/<(img|svg|iframe|link|b|style|meta)\s[^>]*(\son\w+=|http:)/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);

    needChromium(ctx, 'hostile report in Chromium');
    const opened = await openReport(file);
    try {
      const { page } = opened;
      // fire the events an injected handler would wait for, on every element
      await page.evaluate(() => {
        for (const el of document.querySelectorAll('main *')) for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) el.dispatchEvent(new MouseEvent(type, { bubbles: true }));
      });
      expect(opened.dialogs).toEqual([]);
      expect(opened.problems).toEqual([]);
      expect(await opened.cspViolations()).toEqual([]);
      expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(3);
      expect(await page.evaluate(() => [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length)).toBe(0);
      expect(await page.evaluate(() => document.querySelectorAll('iframe, svg, link, meta[http-equiv="refresh"], main style').length)).toBe(0);
      // only the one relative image loads; the URL, the script and the absolute path are shown as text
      expect(await page.evaluate(() => [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')))).toEqual(['ok.png']);
      await page.locator('img').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => (document.querySelector('img') as HTMLImageElement).complete);
      expect(await page.evaluate(() => (document.querySelector('img') as HTMLImageElement).naturalWidth)).toBe(8);

      const text = norm(await page.locator('main').innerText());
      const header = norm(await page.locator('header').innerText());
      // shown as text, controls and bidi overrides as visible escapes (runtime/report/html.ts visibleText)
      for (const h of HOSTILE) expect(text, `payload shown as text: ${h}`).toContain(norm(visibleText(h)));
      const columnCells = (await page.locator('table.columns tr td:first-child').allInnerTexts()).map(norm);
      for (const name of [...Object.values(COLUMN_NAMES), 'a,b <script>alert("csv1")</script>', 'x"y\' onmouseover="alert(2)', 'line break <img src=x onerror=alert(3)>', '<svg onload=alert("pq")>']) {
        expect(columnCells, `column name shown as text: ${name}`).toContain(norm(visibleText(name)));
      }
      expect(header).toContain('<script>alert("spec")</script>.synth');
      expect(text).toContain('<script>alert("dataset")</script>');
      expect(text).toContain('<img src=x onerror=alert("file")>.jsonl');
      expect(text).toContain('</td></tr></table><script>alert("error")</script>');
      expect(text).toContain('http://127.0.0.1:9/remote.png');
      // the enum column's bars follow the declared order, hostile labels and all
      const charts = JSON.parse(await page.locator('#synth-charts').textContent() ?? '[]') as { title: string; labels: string[] }[];
      expect(charts.find((c) => c.title === COLUMN_NAMES.enum)?.labels).toEqual([HOSTILE[1], HOSTILE[2], 'plain']);
      expect(Number(await page.evaluate(() => document.body.dataset['chartsRendered']))).toBe(charts.length);
      await page.screenshot({ path: screenshotPath('hostile.png'), fullPage: true });
    } finally {
      await opened.close();
    }
  });
});
