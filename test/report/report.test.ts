// `synth report` as users run it: on a spec's output (charts drawn, a failed expectation in red, categories in
// declared order, a seeded sample of rows), on the traffic example's full output (360,448 trajectory rows; it
// crashed with "Maximum call stack size exceeded" before, issue #13), and on every mistake a user makes (a coded
// one-line error and exit 1, never "internal error", issue #17).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { run } from '../../runtime/run/run-plan.js';
import { synth } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { needChromium, openReport, screenshotPath } from './browser.js';

const SPEC = `goal "report test" { seed 9 }
enum Tier { free, pro, enterprise }
struct R { tier: Tier  score: float  level: int  note: string }
dataset scores: R {
  count 400
  vary tier ~ weighted { free: 0.2, pro: 0.7, enterprise: 0.1 }
  vary score ~ normal(10.0, 2.0)
  vary level ~ randint(0, 31)
  vary word ~ one_of("alpha beta gamma", "delta epsilon", "zeta eta theta iota")
  row = { tier: tier, score: score, level: level, note: word + " " + str(round(score)) }
  keep tier
  expect share(tier == pro) in 0.6..0.8
  expect mean(row.score) > 50.0
  output "out/scores.jsonl"
}
`;

interface ChartJson {
  title: string;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

/** The chart descriptions embedded in a report (the JSON block the page's script draws from). */
function chartsOf(html: string): ChartJson[] {
  const m = /<script type="application\/json" id="synth-charts">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as ChartJson[];
}

describe('synth report', () => {
  it('renders a self-contained page: charts drawn, failed expectation in red, declared order, a seeded sample', async (ctx) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-'));
    writeFileSync(path.join(dir, 's.synth'), SPEC);
    const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
    const summary = await run(plan, { projectRoot: dir });
    expect(summary.failedExpectations).toBe(true);
    const { html, charts } = await buildReport(path.join(dir, 'out'));
    expect(charts).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script[^>]+src=/); // nothing loaded from the network
    const json = chartsOf(html);
    // enum bars in declared order (free, pro, enterprise), not by count (pro first)
    expect(json.find((c) => c.title === 'tier')!.labels).toEqual(['free', 'pro', 'enterprise']);
    // an int column spanning 32 values: one bar per value
    expect(json.find((c) => c.title === 'level')!.labels).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
    // the sample is 20 rows drawn across the file, not the first 20
    const sampleIdx = [...html.matchAll(/<tr><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(sampleIdx).toHaveLength(20);
    expect(Math.max(...sampleIdx)).toBeGreaterThan(100);
    expect((await buildReport(path.join(dir, 'out'))).html).toBe(html); // same seed, same page
    const file = path.join(dir, 'out', 'report.html');
    writeFileSync(file, html);

    needChromium(ctx, 'report browser test');
    const opened = await openReport(file, { width: 1280, height: 1600 });
    try {
      const { page } = opened;
      expect(opened.problems).toEqual([]);
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
      await page.screenshot({ path: screenshotPath('report.png'), fullPage: true });
    } finally {
      await opened.close();
    }
  });

  it("reports the traffic example's full output (360,448 trajectory rows) exactly, in a page of a few hundred KB", async (ctx) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-traffic-'));
    copyFileSync(path.join(ROOT, 'examples', 'traffic', 'traffic.synth'), path.join(dir, 'traffic.synth'));
    const run = synth(['run', 'traffic.synth', '--backend', 'cpu'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const csv = readFileSync(path.join(dir, 'out', 'trajectories.csv'), 'utf8').trimEnd().split('\n');
    const rows = csv.length - 1;
    expect(rows).toBe(1024 * 32 * 11);

    const rep = synth(['report', 'out'], { cwd: dir });
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stderr).not.toMatch(/internal error/);
    const file = path.join(dir, 'out', 'report.html');
    expect(statSync(file).size).toBeLessThan(1_000_000);
    const html = readFileSync(file, 'utf8');
    const charts = chartsOf(html);
    // every histogram counts every row, exactly (trajectories come after crashes, which has a speed too)
    for (const name of ['world', 'agent', 'step', 'x', 'speed']) {
      const c = charts.findLast((x) => x.title === name || x.title === `${name} (f32)`);
      expect(c, name).toBeDefined();
      expect(c!.datasets[0]!.data.reduce((a, b) => a! + b!, 0), name).toBe(rows);
    }
    // readable bars: one per agent and per observed step, integer ranges for worlds, nice edges for floats
    expect(charts.find((c) => c.title === 'agent')!.labels).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
    expect(charts.find((c) => c.title === 'step')!.labels).toEqual(Array.from({ length: 11 }, (_, i) => String(i * 50)));
    expect(charts.find((c) => c.title === 'world')!.labels.at(-1)).toBe('1,000–1,023');
    for (const c of charts) for (const l of c.labels) expect(l, c.title).not.toMatch(/e[+-]\d|\.\d*99999|\d\.\d{5,}/);
    // the crash dataset: lanes in numeric order, severity in declared order ("minor" | "severe")
    expect(charts.find((c) => c.title === 'lane')!.labels).toEqual(['0', '1', '2', '3']);
    expect(charts.find((c) => c.title === 'severity')!.labels).toEqual(['minor', 'severe']);
    // exact statistics: min and max of x against a direct computation over the CSV
    let min = Infinity;
    let max = -Infinity;
    for (const line of csv.slice(1)) {
      const x = Number(line.split(',')[3]);
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const xRow = /<tr><td>x<\/td><td>float<\/td>(.*?)<\/tr>/.exec(html)![1]!;
    const cells = [...xRow.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!);
    // cells: present, missing, distinct, min, median, mean, max
    expect(cells).toHaveLength(7); // after name and type: no empty notes column when no column has notes (adv17)
    for (const table of html.match(/<table class="columns">.*?<\/table>/g)!) {
      expect(table).not.toContain('<th></th>');
      const heads = (/<tr>(.*?)<\/tr>/.exec(table)![1]!.match(/<th>/g) ?? []).length;
      for (const row of [...table.matchAll(/<tr>(<td.*?)<\/tr>/g)]) expect(row[1]!.match(/<td[ >]/g)!.length).toBe(heads);
    }
    expect(Math.fround(Number(cells[3]))).toBe(min);
    expect(Math.fround(Number(cells[6]))).toBe(max);
    // f32 values print as written (24.096317), the crash times without double noise (1.9, not 1.9000000000000001)
    expect(html.slice(0, html.indexOf('<script'))).not.toMatch(/\d\.\d{12,}/);
    expect(html).toContain('<h3>Simulation</h3>');

    needChromium(ctx, 'traffic report in Chromium');
    const opened = await openReport(file);
    try {
      expect(opened.problems).toEqual([]);
      expect(Number(await opened.page.evaluate(() => document.body.dataset['chartsRendered']))).toBe(charts.length);
      // axis labels readable: at least the table's 13px and near-black, on both axes of every chart (adv17)
      const ticks = await opened.page.evaluate(() => {
        const chart = (window as unknown as { Chart: { instances: Record<string, { scales: Record<string, { options: { ticks: { font: { size: number }; color: string } } }> }> } }).Chart;
        return Object.values(chart.instances).flatMap((c) => Object.values(c.scales).map((s) => [s.options.ticks.font.size, s.options.ticks.color] as const));
      });
      expect(ticks.length).toBeGreaterThanOrEqual(2 * charts.length);
      for (const [size, color] of ticks) {
        expect(size).toBeGreaterThanOrEqual(13);
        expect(color).toBe('#1f2937');
      }
      await opened.page.screenshot({ path: screenshotPath('traffic.png'), fullPage: true });
    } finally {
      await opened.close();
    }
  }, 300_000);
});

describe('synth report: user mistakes are coded errors with exit 1', () => {
  const project = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-mistakes-'));
    writeFileSync(path.join(dir, 'file.synth'), SPEC);
    mkdirSync(path.join(dir, 'empty'));
    mkdirSync(path.join(dir, 'bad'));
    writeFileSync(path.join(dir, 'bad', 'x.manifest.json'), '{"synth": "manifest", "dataset": ');
    mkdirSync(path.join(dir, 'escape'));
    writeFileSync(path.join(dir, 'escape', 'x.manifest.json'), JSON.stringify({ synth: 'manifest', dataset: { name: 'x', output: '../file.synth', format: 'jsonl' } }));
    mkdirSync(path.join(dir, 'missing'));
    writeFileSync(path.join(dir, 'missing', 'x.manifest.json'), JSON.stringify({ synth: 'manifest', dataset: { name: 'x', output: 'x.jsonl', format: 'jsonl' } }));
    mkdirSync(path.join(dir, 'corrupt'));
    writeFileSync(path.join(dir, 'corrupt', 'x.manifest.json'), JSON.stringify({ synth: 'manifest', dataset: { name: 'x', output: 'x.jsonl', format: 'jsonl' } }));
    writeFileSync(path.join(dir, 'corrupt', 'x.jsonl'), '{"a":1}\n{"a":\n{"a":3}\n');
    mkdirSync(path.join(dir, 'dangling'));
    writeFileSync(path.join(dir, 'dangling', 'x.manifest.json'), JSON.stringify({ synth: 'manifest', dataset: { name: 'x', output: 'x.jsonl', format: 'jsonl' } }));
    symlinkSync(path.join(dir, 'nowhere.jsonl'), path.join(dir, 'dangling', 'x.jsonl'));
    mkdirSync(path.join(dir, 'ok'));
    writeFileSync(path.join(dir, 'ok', 'x.manifest.json'), JSON.stringify({ synth: 'manifest', dataset: { name: 'x', output: 'x.jsonl', format: 'jsonl' } }));
    writeFileSync(path.join(dir, 'ok', 'x.jsonl'), '{"a":1}\n');
    mkdirSync(path.join(dir, 'ok', 'report.html'));
    return dir;
  };

  const table: [string, string[], string, RegExp][] = [
    ['a folder that does not exist', ['report', 'nope'], 'SYN5201', /'nope' does not exist/],
    ['a spec file', ['report', 'file.synth'], 'SYN5201', /'file\.synth' is a file, not a folder.*synth run file\.synth/],
    ['a folder without manifests', ['report', 'empty'], 'SYN5201', /holds no \*\.manifest\.json/],
    ['the project folder', ['report', '.'], 'SYN5201', /looks like a project folder \(file\.synth\)/],
    ['a truncated manifest', ['report', 'bad'], 'SYN5202', /manifest 'x\.manifest\.json' cannot be read: not JSON/],
    ['a manifest naming a file outside its folder', ['report', 'escape'], 'SYN5202', /'\.\.\/file\.synth' is not a file name in this folder/],
    ['an output deleted after the run', ['report', 'missing'], 'SYN5203', /'x\.jsonl' cannot be read at line 1: the file is missing/],
    ['a malformed line in the output', ['report', 'corrupt'], 'SYN5203', /cannot be read at line 2: not JSON/],
    ['an output that is a dangling symlink', ['report', 'dangling'], 'SYN5203', /the file is missing/],
    ['--out naming a folder', ['report', 'ok'], 'SYN5204', /it is a folder/],
    ['--out under a file', ['report', 'ok', '--out', 'file.synth/r.html'], 'SYN5204', /part of the path is a file, not a folder/],
  ];

  it.each(table)('%s → %s, exit 1', (_what, args, code, message) => {
    const dir = project();
    const r = synth(args, { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    // one line of error (after any "report: reading …" progress lines)
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('report: reading '))).toHaveLength(1);
    expect(r.stderr).toContain(`error ${code}:`);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(1);
  });

  // Each way a finished run's output can stop matching its manifest: the page must not call it complete.
  it('a file changed after the run (rows appended, cut short, edited in place) is shown as changed, not complete', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-changed-'));
    writeFileSync(path.join(dir, 's.synth'), SPEC);
    const plan = buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
    await run(plan, { projectRoot: dir });
    const file = path.join(dir, 'out', 'scores.jsonl');
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n').filter(Boolean);
    const edits: [string, string, RegExp][] = [
      ['appended', original + lines[0] + '\n', /has 401 readable rows; the manifest records 400/],
      ['cut short', lines.slice(0, 100).join('\n') + '\n', /has 100 readable rows; the manifest records 400/],
      ['edited in place', original.replace(lines[5]!, lines[6]!), /is not the file the run wrote: its sha256/],
    ];
    // the run's own status (this spec fails an expectation), until a file changes
    const status = (html: string) => /<b>status<\/b>\s*<span class="([^"]+)">([^<]*)</.exec(html)?.slice(1, 3).join(' ');
    const before = status((await buildReport(path.join(dir, 'out'))).html);
    expect(before).toMatch(/^status-other (?!changed)/);
    for (const [what, text, note] of edits) {
      writeFileSync(file, text);
      const { html, notes } = await buildReport(path.join(dir, 'out'));
      expect(status(html), what).toMatch(/^status-other changed since the run \(was /);
      expect(notes.join('\n'), what).toMatch(note);
    }
    writeFileSync(file, original);
    expect(status((await buildReport(path.join(dir, 'out'))).html)).toBe(before);
    // the manifest edited instead: its row count, then its checksum gone
    const mf = path.join(dir, 'out', 'scores.manifest.json');
    const manifest = readFileSync(mf, 'utf8');
    const m = JSON.parse(manifest) as { counts: Record<string, number>; files: Array<Record<string, unknown>>; file?: Record<string, unknown> };
    writeFileSync(mf, JSON.stringify({ ...m, counts: { ...m.counts, rows: 401, written: 401 } }));
    let r = await buildReport(path.join(dir, 'out'));
    expect(status(r.html)).toMatch(/^status-other changed since the run/);
    expect(r.notes.join('\n')).toMatch(/the manifest says the run wrote 401 rows, but its files hold 400/);
    writeFileSync(mf, JSON.stringify({ ...m, files: m.files.map(({ sha256: _, ...f }) => f), file: undefined }));
    r = await buildReport(path.join(dir, 'out'));
    expect(status(r.html)).toMatch(/^status-other cannot be checked against the run/);
    expect(r.notes.join('\n')).toMatch(/records no sha256 for scores\.jsonl/);
    writeFileSync(mf, manifest);
  });

  it('a chat file written beside the rows, edited or deleted after the run, is shown as changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-chat-'));
    writeFileSync(path.join(dir, 's.synth'), `goal "g" { seed 2 }\nstruct Q { question: string  answer: string }\ndataset qa: Q {\n  count 6\n  vary n ~ randint(1, 99)\n  row = { question: "what is " + str(n), answer: str(n) }\n  format chat {\n    user: "{row.question}",\n    assistant: "{row.answer}"\n  }\n  output "out/qa.jsonl"\n}\n`);
    await run(buildPlan(checkFile(path.join(dir, 's.synth'))).plan, { projectRoot: dir });
    const chat = path.join(dir, 'out', 'qa.chat.jsonl');
    const text = readFileSync(chat, 'utf8');
    const status = async () => /<b>status<\/b>\s*<span class="[^"]+">([^<]*)</.exec((await buildReport(path.join(dir, 'out'))).html)?.[1];
    expect(await status()).toBe('complete');
    writeFileSync(chat, text.replace('what', 'why'));
    expect(await status()).toBe('changed since the run (was complete)');
    rmSync(chat);
    expect(await status()).toBe('changed since the run (was complete)');
    writeFileSync(chat, text);
    expect(await status()).toBe('complete');
  });

  it('prints no terminal control characters from a manifest\'s file names in its notes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-hostile-'));
    const evil = 'd\x1b[31mX\x1b]0;pwn\x07\nfake: line.jsonl';
    writeFileSync(path.join(dir, evil), '{"a":1}\n{"a":2}\n');
    writeFileSync(path.join(dir, 'x.manifest.json'), JSON.stringify({ synth: 'manifest', dataset: { name: 'x', output: evil, format: 'jsonl' }, counts: { rows: 1, written: 1 }, files: [{ name: evil, format: 'jsonl', role: 'rows', rows: 1, sha256: '0'.repeat(64) }] }));
    const r = synth(['report', '.', '--out', 'r.html'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: x: d.*is not the file the run wrote/);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stderr).not.toMatch(/^fake: /m);
  });

  it('a value of another type in a column is counted in a note, and the rest keep their statistics', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-offkind-'));
    const rows = Array.from({ length: 12 }, (_, i) => JSON.stringify({ name: `n${i}`, score: i * 1.5, cat: i % 2 ? 'a' : 'b' }));
    rows.push(JSON.stringify({ name: 'x', score: 'oops', cat: true }));
    writeFileSync(path.join(dir, 'out.jsonl'), rows.join('\n') + '\n');
    writeFileSync(path.join(dir, 'out.manifest.json'), JSON.stringify({ synth: 'manifest', dataset: { name: 'out', output: 'out.jsonl', format: 'jsonl' } }));
    const { html } = await buildReport(dir);
    const score = /<tr><td>score<\/td>(.*?)<\/tr>/.exec(html)![1]!;
    const cells = [...score.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    // type, present, missing, distinct, min, median, mean, max, notes
    expect(cells.slice(0, 8)).toEqual(['float', '13', '0', '12', '0', '8.25', '8.25', '16.5']);
    expect(cells[8]).toBe('1 value is not a number (string): left out of the statistics');
    expect(html.includes('1 value is not a string (bool): left out of the statistics')).toBe(true);
    // both keep their charts (a histogram of the numbers, the categories' bars)
    expect(chartsOf(html).map((c) => c.title)).toEqual(expect.arrayContaining([expect.stringMatching(/^score/), expect.stringMatching(/^cat/)]));
  });

  it('an unfinished last line (a run still writing) is skipped with a note, exit 0', () => {
    const dir = project();
    writeFileSync(path.join(dir, 'ok', 'x.jsonl'), '{"a":1}\n{"a":2}\n{"a":');
    const r = synth(['report', 'ok', '--out', 'r/report.html'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: x: line 3 of x\.jsonl is unfinished/);
    expect(readFileSync(path.join(dir, 'r', 'report.html'), 'utf8')).toContain('is unfinished');
  });
});
