// `synth report DIR`: one self-contained HTML page per output folder — each dataset's manifest summary,
// expectations (failures in red with the measured value), column statistics and charts, declared-vs-realised
// `vary` distributions, simulation trajectories or event rates, image groups, text diversity, and a seeded
// random sample of rows. Chart.js is inlined; nothing loads from the network when the page is viewed.
//
// Each dataset is read once, streaming (dataset-stats.ts), so memory and the page's size are bounded whatever
// the row count; every value is escaped for where it goes and the page runs only its own hashed scripts
// (html.ts). docs/report.md describes what the page shows and how it is computed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { datasetSection, type Chart } from './dataset-section.js';
import { gatherDataset } from './dataset-stats.js';
import { contentSecurityPolicy, esc, jsonForScript } from './html.js';
import { readManifests } from './manifests.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1f2937;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}
main{padding:20px 28px;max-width:1400px}
section.dataset{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 20px;margin-bottom:24px}
h2{margin:0 0 8px;font-size:18px}h3{font-size:15px;margin:18px 0 8px}h3 small,h2 small{font-weight:400;color:#4b5563}
.kv{display:flex;flex-wrap:wrap;gap:8px 18px}.kv div{background:#f3f4f6;border-radius:6px;padding:4px 10px}
.kv b{font-weight:600}
.note{color:#92400e;background:#fffbeb;border-left:3px solid #f59e0b;padding:4px 10px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top;unicode-bidi:isolate}
th{background:#f9fafb}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.pass td.status{color:#166534;font-weight:600}tr.fail td.status{color:#b91c1c;font-weight:600}tr.fail{background:#fef2f2}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:16px}
.chart{background:#fff;border:1px solid #eef0f3;border-radius:6px;padding:8px;height:240px;position:relative}
.status-complete{color:#166534}.status-other{color:#b91c1c}
.sample td{max-width:420px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.columns td:first-child,.sample th{max-width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.images img{image-rendering:pixelated;border:1px solid #ddd;margin:1px}
`;

// Draws the charts described in the JSON block: labels are data, so they are only ever handed to Chart.js,
// which paints them on a canvas (never parsed as HTML).
const RENDER = `
const charts = JSON.parse(document.getElementById('synth-charts').textContent);
const palette = ['#2563eb','#dc2626','#16a34a','#d97706','#7c3aed','#0891b2'];
const clip = (s) => (s.length > 24 ? s.slice(0, 23) + '\\u2026' : s);
// axis labels at the page's table size and in near-black (Chart.js draws 12px grey #666 by default: hard to read)
const TICKS = { font: { size: 13 }, color: '#1f2937' };
for (const c of charts) {
  const el = document.getElementById(c.id);
  new Chart(el, {
    type: c.type,
    data: { labels: c.labels, datasets: c.datasets.map((d, i) => ({ ...d, backgroundColor: palette[i % palette.length] + (c.type === 'bar' ? 'cc' : ''), borderColor: palette[i % palette.length], pointRadius: 0, borderWidth: c.type === 'line' ? 1.5 : 0, spanGaps: true, ...(c.histogram ? { categoryPercentage: 1, barPercentage: 1 } : {}) })) },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: {
        title: { display: true, text: c.title },
        legend: { display: c.datasets.length > 1 },
        tooltip: { callbacks: { title: (items) => (c.ranges && items.length ? c.ranges[items[0].dataIndex] : items.length ? String(c.labels[items[0].dataIndex]) : '') } },
      },
      scales: { x: { ticks: { ...TICKS, maxRotation: 45, autoSkip: true, callback: function (v) { return clip(String(this.getLabelForValue(v))); } } }, y: { beginAtZero: true, ticks: { ...TICKS, ...(c.counts ? { precision: 0 } : {}) } } },
    },
  });
}
document.body.dataset.chartsRendered = String(Object.keys(Chart.instances).length);
`;

/**
 * Builds the report of output folder `dir`. `reportFile`: where the HTML will be written (image thumbnails
 * link to the dataset's files relative to it). `onDataset` hears of each dataset before it is read (a large one
 * takes a while). Returns the page, the number of datasets and of charts, and notes for the reader.
 * Throws SynthError: SYN5201 (not an output folder), SYN5202 (bad manifest), SYN5203 (unreadable output).
 */
export async function buildReport(
  dir: string,
  reportFile: string = path.join(dir, 'report.html'),
  onDataset?: (name: string, output: string) => void,
): Promise<{ html: string; datasets: number; charts: number; notes: string[] }> {
  const imageBase = path.relative(path.dirname(path.resolve(reportFile)), path.resolve(dir)).split(path.sep).join('/');
  const manifests = readManifests(dir);
  const charts: Chart[] = [];
  const sections: string[] = [];
  const notes: string[] = [];
  for (const m of manifests) {
    onDataset?.(m.dataset.name, m.dataset.files.map((f) => f.name).join(', '));
    const d = await gatherDataset(dir, m);
    notes.push(...d.notes.map((n) => `${m.dataset.name}: ${n}`));
    sections.push(datasetSection(d, charts, imageBase));
  }
  // chart.js exports no path to its UMD build: find the package folder from its main entry.
  const chartDir = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
  const chartJs = readFileSync(path.join(chartDir, 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  const csp = contentSecurityPolicy([chartJs, RENDER], [STYLE]);
  const first = manifests[0]!;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="referrer" content="no-referrer">
<title>Synth report${first.spec ? `: ${esc(first.spec)}` : ''}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body><header><h1>Synth report</h1><div>${[first.spec ? esc(first.spec) : '', first.plan ? `plan ${esc(first.plan)}` : '', `${manifests.length} dataset(s)`].filter(Boolean).join(' · ')}</div></header>
<main>${sections.join('\n')}</main>
<script type="application/json" id="synth-charts">${jsonForScript(charts)}</script>
<script>${chartJs}</script>
<script>${RENDER}</script></body></html>
`;
  return { html, datasets: manifests.length, charts: charts.length, notes };
}
