// `synth report DIR`: one self-contained HTML page (Chart.js inlined; no network at view time) per output
// folder: each dataset's manifest summary, expectations (failures in red with the measured value), per-column
// charts, declared-vs-realised `vary` distributions, simulation trajectories and event rates, token and cost
// use, and a sample of rows.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Sampler } from '../../compiler/plan/schema.js';
import { readRows } from '../dataset/read-rows.js';
import type { Value } from '../../compiler/plan/eval.js';
import { summarize, totalVariation, type ColumnSummary } from './stats.js';

interface Manifest {
  tool: string;
  spec: string;
  plan: string;
  dataset: { name: string; hash: string; seed: number; output: string; format: 'jsonl' | 'csv' | 'parquet' };
  counts: Record<string, number>;
  tokens: { prompt: number; completion: number };
  cost_usd: number;
  splits: Record<string, number>;
  expects: { text: string; passed: boolean; measured: Record<string, number>; error?: string }[];
  status: string;
  wall_ms: number;
  backend: string | null;
  vary?: { name: string; mode: string; sampler: Sampler; kept: boolean }[];
  models?: { name: string; model: unknown }[];
}

interface Chart {
  id: string;
  type: 'bar' | 'line';
  title: string;
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** `reportFile`: where the HTML will be written; image thumbnails link to the dataset's files relative to it. */
export async function buildReport(dir: string, reportFile: string = path.join(dir, 'report.html')): Promise<{ html: string; datasets: number; charts: number }> {
  const imageBase = path.relative(path.dirname(path.resolve(reportFile)), path.resolve(dir)).split(path.sep).join('/');
  const manifests = readdirSync(dir)
    .filter((f) => f.endsWith('.manifest.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Manifest);
  const charts: Chart[] = [];
  const sections: string[] = [];
  for (const m of manifests) {
    const file = path.join(dir, m.dataset.output);
    const rows = existsSync(file) ? await readRows(file, m.dataset.format) : [];
    sections.push(datasetSection(m, rows, charts, imageBase));
  }
  // chart.js exports no path to its UMD build: find the package folder from its main entry.
  const chartDir = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
  const chartJs = readFileSync(path.join(chartDir, 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Synth report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1f2937;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}
main{padding:20px 28px;max-width:1400px}
section.dataset{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 20px;margin-bottom:24px}
h2{margin:0 0 8px;font-size:18px}h3{font-size:15px;margin:18px 0 8px}
.kv{display:flex;flex-wrap:wrap;gap:8px 18px}.kv div{background:#f3f4f6;border-radius:6px;padding:4px 10px}
.kv b{font-weight:600}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb}
tr.pass td.status{color:#166534;font-weight:600}tr.fail td.status{color:#b91c1c;font-weight:600}tr.fail{background:#fef2f2}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:16px}
.chart{background:#fff;border:1px solid #eef0f3;border-radius:6px;padding:8px;height:240px;position:relative}
.status-complete{color:#166534}.status-failed-expectations{color:#b91c1c}
.sample td{max-width:420px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.images img{image-rendering:pixelated;border:1px solid #ddd;margin:1px}
</style></head>
<body><header><h1>Synth report</h1><div>${esc(manifests[0]?.spec ?? '')} · plan ${esc(manifests[0]?.plan ?? '')} · ${manifests.length} dataset(s)</div></header>
<main>${sections.join('\n') || '<p>No manifests found in this folder.</p>'}</main>
<script>${chartJs}</script>
<script>
const charts = ${JSON.stringify(charts)};
const palette = ['#2563eb','#dc2626','#16a34a','#d97706','#7c3aed','#0891b2'];
for (const c of charts) {
  const el = document.getElementById(c.id);
  new Chart(el, { type: c.type, data: { labels: c.labels, datasets: c.datasets.map((d, i) => ({ ...d, backgroundColor: palette[i % palette.length] + (c.type === 'bar' ? 'cc' : ''), borderColor: palette[i % palette.length], pointRadius: 0, borderWidth: c.type === 'line' ? 1.5 : 0 })) },
    options: { animation: false, maintainAspectRatio: false, plugins: { title: { display: true, text: c.title }, legend: { display: c.datasets.length > 1 } }, scales: { x: { ticks: { maxRotation: 45, autoSkip: true } } } } });
}
document.body.dataset.chartsRendered = String(Object.keys(Chart.instances).length);
</script></body></html>
`;
  return { html, datasets: manifests.length, charts: charts.length };
}

function datasetSection(m: Manifest, rows: Record<string, Value>[], charts: Chart[], imageBase: string): string {
  const id = (s: string) => `c${charts.length}_${s.replace(/\W/g, '_')}`;
  const c = m.counts;
  const kv = [
    ['status', `<span class="status-${esc(m.status)}">${esc(m.status)}</span>`],
    ['rows', esc(c['written'] ?? 0)],
    ['failed', esc(c['failed'] ?? 0)],
    ['filtered', esc(c['filtered'] ?? 0)],
    ['duplicates', esc(c['duplicates'] ?? 0)],
    ['LLM calls', esc(c['calls'] ?? 0)],
    ['cached', esc(c['cached'] ?? 0)],
    ['retried', esc(c['retried'] ?? 0)],
    ['tokens', `${esc(m.tokens.prompt)} in / ${esc(m.tokens.completion)} out`],
    ['cost', `$${m.cost_usd.toFixed(4)}`],
    ['wall time', `${(m.wall_ms / 1000).toFixed(1)} s`],
    ['seed', esc(m.dataset.seed)],
    ...Object.entries(m.splits ?? {}).map(([k, v]) => [`split ${esc(k)}`, esc(v)]),
  ]
    .map(([k, v]) => `<div><b>${k}</b> ${v}</div>`)
    .join('');
  const expects = m.expects.length
    ? `<h3>Expectations</h3><table class="expects"><tr><th>expect</th><th>result</th><th>measured</th></tr>${m.expects
        .map(
          (e) =>
            `<tr class="${e.passed ? 'pass' : 'fail'}"><td><code>${esc(e.text)}</code></td><td class="status">${e.passed ? 'pass' : 'FAIL'}</td><td>${esc(
              Object.entries(e.measured)
                .map(([k, v]) => `${k.split('#')[0]} = ${+v.toFixed(4)}`)
                .join(', '),
            )}${e.error ? ' — ' + esc(e.error) : ''}</td></tr>`,
        )
        .join('')}</table>`
    : '';

  const summaries = summarize(rows);
  const cols: string[] = [];
  for (const s of summaries) {
    if (!s.bins?.length) continue;
    const chartId = id(s.name);
    charts.push({ id: chartId, type: 'bar', title: titleOf(s), labels: s.bins.map((b) => b.label), datasets: [{ label: s.name, data: s.bins.map((b) => b.count) }] });
    cols.push(`<div class="chart"><canvas id="${chartId}"></canvas></div>`);
  }

  // Declared vs realised distributions of kept `vary` variables.
  const varyRows: string[] = [];
  for (const v of m.vary ?? []) {
    if (!v.kept) continue;
    const tv = totalVariation(v.sampler, rows.map((r) => r[v.name] ?? null).filter((x) => x !== null));
    if (!tv) continue;
    const labels = [...new Set([...Object.keys(tv.declared), ...Object.keys(tv.realised)])];
    const chartId = id('vary_' + v.name);
    charts.push({
      id: chartId,
      type: 'bar',
      title: `vary ${v.name}: declared vs realised (TV distance ${tv.distance.toFixed(3)})`,
      labels,
      datasets: [
        { label: 'declared', data: labels.map((l) => tv.declared[l] ?? 0) },
        { label: 'realised', data: labels.map((l) => tv.realised[l] ?? 0) },
      ],
    });
    varyRows.push(`<div class="chart"><canvas id="${chartId}"></canvas></div>`);
  }

  // Simulation trajectories: the mean of each numeric field over time for a few worlds.
  const sim: string[] = [];
  const hasTraj = rows.length > 0 && ['world', 'agent', 'step'].every((k) => typeof rows[0]![k] === 'number');
  if (hasTraj) {
    const worlds = [...new Set(rows.map((r) => r['world'] as number))].sort((a, b) => a - b).slice(0, 4);
    const steps = [...new Set(rows.map((r) => r['step'] as number))].sort((a, b) => a - b);
    const numeric = summaries.filter((s) => s.kind === 'number' && !['world', 'agent', 'step'].includes(s.name)).slice(0, 3);
    const isEvents = steps.length > 50 || rows.length < worlds.length * steps.length;
    if (isEvents) {
      const byStep = new Map<number, number>();
      for (const r of rows) byStep.set(r['step'] as number, (byStep.get(r['step'] as number) ?? 0) + 1);
      const bins = 40;
      const maxStep = Math.max(...steps);
      const counts = new Array<number>(bins).fill(0);
      for (const [s, n] of byStep) counts[Math.min(bins - 1, Math.floor((s / (maxStep + 1)) * bins))]! += n;
      const chartId = id('events');
      charts.push({ id: chartId, type: 'bar', title: 'events over time (all worlds)', labels: counts.map((_, i) => String(Math.round((i * (maxStep + 1)) / bins))), datasets: [{ label: 'events', data: counts }] });
      sim.push(`<div class="chart"><canvas id="${chartId}"></canvas></div>`);
    } else {
      for (const f of numeric) {
        const chartId = id('traj_' + f.name);
        charts.push({
          id: chartId,
          type: 'line',
          title: `${f.name} over time (mean over agents), worlds ${worlds.join(', ')}`,
          labels: steps.map(String),
          datasets: worlds.map((w) => ({
            label: `world ${w}`,
            data: steps.map((s) => {
              const vs = rows.filter((r) => r['world'] === w && r['step'] === s).map((r) => r[f.name] as number);
              return vs.reduce((a, b) => a + b, 0) / (vs.length || 1);
            }),
          })),
        });
        sim.push(`<div class="chart"><canvas id="${chartId}"></canvas></div>`);
      }
    }
  }

  const textStats = summaries
    .filter((s) => s.kind === 'text')
    .map((s) => `<tr><td>${esc(s.name)}</td><td>${s.distinct}/${s.count}</td><td>${(s.distinctBigrams ?? 1).toFixed(3)}</td></tr>`)
    .join('');
  const sampleCols = summaries.map((s) => s.name).slice(0, 10);
  const sample = rows.slice(0, 20);
  return `<section class="dataset" id="ds-${esc(m.dataset.name)}">
<h2>${esc(m.dataset.name)} <small>→ ${esc(m.dataset.output)}</small></h2>
<div class="kv">${kv}</div>
${expects}
${cols.length ? `<h3>Columns</h3><div class="grid">${cols.join('')}</div>` : ''}
${varyRows.length ? `<h3>Declared vs realised</h3><div class="grid">${varyRows.join('')}</div>` : ''}
${sim.length ? `<h3>Simulation</h3><div class="grid">${sim.join('')}</div>` : ''}
${imageGroups(rows, imageBase)}
${textStats ? `<h3>Text diversity</h3><table><tr><th>field</th><th>distinct rows</th><th>distinct bigram ratio</th></tr>${textStats}</table>` : ''}
<h3>Sample rows</h3><table class="sample"><tr>${sampleCols.map((c2) => `<th>${esc(c2)}</th>`).join('')}</tr>${sample
    .map((r) => `<tr>${sampleCols.map((c2) => `<td title="${esc(JSON.stringify(r[c2] ?? null))}">${esc(cell(r[c2]))}</td>`).join('')}</tr>`)
    .join('')}</table>
</section>`;
}

/**
 * Image datasets (one line per image, `<field>_group` naming the prompt's group): the first groups as rows of
 * thumbnails with their caption, and how many images each group holds. Thumbnails link to the files beside the
 * output (the report stays small; open it where the dataset is).
 */
function imageGroups(rows: Record<string, Value>[], imageBase: string): string {
  const first = rows[0];
  if (!first) return '';
  const field = Object.keys(first).find((k) => `${k}_group` in first && `${k}_sha256` in first);
  if (!field) return '';
  const groups = new Map<string, Record<string, Value>[]>();
  for (const r of rows) {
    const g = String(r[`${field}_group`] ?? '');
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const sizes = [...groups.values()].map((g) => g.length);
  const text = Object.keys(first).find((k) => !k.startsWith(field) && typeof first[k] === 'string' && k !== 'split');
  const src = (p: Value | undefined) => esc((imageBase ? imageBase + '/' : '') + String(p ?? ''));
  const shown = [...groups.entries()].slice(0, 8).map(
    ([g, rs]) =>
      `<tr><td><code>${esc(g)}</code>${text ? `<br>${esc(String(rs[0]![text] ?? ''))}` : ''}</td><td>${rs
        .slice(0, 8)
        .map((r) => `<img loading="lazy" width="96" height="96" alt="${esc(String(r[`${field}_sha256`] ?? '').slice(0, 12))}" src="${src(r[field])}">`)
        .join(' ')}</td></tr>`,
  );
  return `<h3>Image groups</h3><div class="kv"><div><b>groups</b> ${groups.size}</div><div><b>images</b> ${rows.length}</div><div><b>per group</b> ${Math.min(...sizes)} … ${Math.max(...sizes)}</div></div>
<table class="images"><tr><th>group${text ? ` / ${esc(text)}` : ''}</th><th>images</th></tr>${shown.join('')}</table>`;
}

function cell(v: Value | undefined): string {
  if (typeof v === 'number' && !Number.isInteger(v)) return String(+v.toPrecision(6));
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v ?? '');
}

function titleOf(s: ColumnSummary): string {
  if (s.kind === 'number') return `${s.name} (mean ${+s.mean!.toPrecision(4)}, range ${+s.min!.toPrecision(4)} … ${+s.max!.toPrecision(4)})`;
  if (s.kind === 'text') return `${s.name}: length in characters (${s.distinct} distinct)`;
  return `${s.name} (${s.distinct} values)`;
}
