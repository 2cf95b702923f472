// One dataset's section of the report, as HTML (every value escaped) plus the chart descriptions the page's
// script draws. Its size is bounded whatever the dataset's: at most MAX_CHARTS column charts, SAMPLE_COLUMNS
// columns of SAMPLE_ROWS sampled rows, cells clipped to CELL_CHARS (CELL_TITLE_CHARS in the hover text).
import type { Value } from '../../compiler/plan/eval.js';
import type { ColumnSummary } from './column-stats.js';
import type { DatasetReport } from './dataset-stats.js';
import { esc, relativeSrc } from './html.js';
import { displayCount, displayStat, displayValue } from './number-format.js';

export const MAX_CHARTS = 60;
export const SAMPLE_COLUMNS = 12;
export const CELL_CHARS = 300;
export const CELL_TITLE_CHARS = 2000;

/** A chart the page's script draws with Chart.js; `ranges[i]` is bar i's tooltip. */
export interface Chart {
  id: string;
  type: 'bar' | 'line';
  title: string;
  /** bars touch (a histogram) instead of standing apart (categories) */
  histogram: boolean;
  /** the y axis counts rows: whole-number ticks */
  counts?: boolean;
  labels: string[];
  ranges?: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

/** Renders dataset `d`, appending its charts to `charts` (ids are positional, never built from data). */
export function datasetSection(d: DatasetReport, charts: Chart[], imageBase: string): string {
  const m = d.manifest;
  const canvas = (chart: Chart) => {
    charts.push(chart);
    return `<div class="chart"><canvas id="${chart.id}" role="img" aria-label="${esc(chart.title)}"></canvas></div>`;
  };
  const nextId = () => `chart${charts.length}`;
  const c = m.counts;
  const kv: [string, string][] = [
    // a file changed since the run is not the run's output, whatever the manifest says of it
    [
      'status',
      d.changed.length
        ? `<span class="status-other">changed since the run (was ${esc(m.status)})</span>`
        : d.unverified.length
          ? `<span class="status-other">cannot be checked against the run (was ${esc(m.status)})</span>`
          : `<span class="status-${m.status === 'complete' ? 'complete' : 'other'}">${esc(m.status)}</span>`,
    ],
    ['rows', d.changed.length ? `${esc(displayCount(d.rows))} read (the manifest says ${esc(displayCount(c['written'] ?? c['rows'] ?? 0))})` : esc(displayCount(c['written'] ?? d.rows))],
    ['failed', esc(c['failed'] ?? 0)],
    ['filtered', esc(c['filtered'] ?? 0)],
    ['duplicates', esc(c['duplicates'] ?? 0)],
    ['LLM calls', esc(c['calls'] ?? 0)],
    // calls of results superseded since (a changed definition, failures made again) are spent, not in the rows
    ...(m.spent && (m.spent['calls'] ?? 0) !== (c['calls'] ?? 0) ? ([['calls spent in all runs', esc(m.spent['calls'] ?? 0)]] as [string, string][]) : []),
    ['cached', esc(c['cached'] ?? 0)],
    ['retried', esc(c['retried'] ?? 0)],
    ['tokens', `${esc(displayCount(m.tokens.prompt))} in / ${esc(displayCount(m.tokens.completion))} out`],
    ['cost', `$${esc(m.cost_usd.toFixed(4))}`],
    ['wall time', `${esc((m.wall_ms / 1000).toFixed(1))} s`],
    ['seed', esc(m.dataset.seed)],
    ...(m.backend ? ([['backend', esc(m.backend)]] as [string, string][]) : []),
    ...Object.entries(m.splits).map(([k, v]) => [`split ${esc(k)}`, esc(v)] as [string, string]),
  ];
  const kvHtml = kv.map(([k, v]) => `<div><b>${k}</b> ${v}</div>`).join('');

  const expects = m.expects.length
    ? `<h3>Expectations</h3><table class="expects"><tr><th>expect</th><th>result</th><th>measured</th></tr>${m.expects
        .map(
          (e) =>
            `<tr class="${e.passed ? 'pass' : 'fail'}"><td><code>${esc(e.text)}</code></td><td class="status">${e.passed ? 'pass' : 'FAIL'}</td><td>${esc(
              Object.entries(e.measured)
                .map(([k, v]) => `${k.split('#')[0]} = ${displayStat(v)}`)
                .join(', '),
            )}${e.error ? ' — ' + esc(e.error) : ''}</td></tr>`,
        )
        .join('')}</table>`
    : '';

  const charted = d.columns.filter((s) => s.bins.length > 0);
  const columnCharts = charted.slice(0, MAX_CHARTS).map((s) =>
    canvas({
      id: nextId(),
      type: 'bar',
      title: chartTitle(s),
      histogram: s.kind !== 'category',
      counts: true,
      labels: s.bins.map((b) => b.label),
      ranges: s.bins.map((b) => `${b.range}: ${displayCount(b.count)} rows`),
      datasets: [{ label: s.name, data: s.bins.map((b) => b.count) }],
    }),
  );
  const chartsLeftOut = charted.length - columnCharts.length;

  const varyCharts = d.vary.map(({ name, tv }) => {
    const labels = [...new Set([...tv.declared.keys(), ...tv.realised.keys()])];
    return canvas({
      id: nextId(),
      type: 'bar',
      title: `vary ${name}: declared vs realised (TV distance ${tv.distance.toFixed(3)})`,
      histogram: false,
      labels,
      datasets: [
        { label: 'declared', data: labels.map((l) => tv.declared.get(l) ?? 0) },
        { label: 'realised', data: labels.map((l) => tv.realised.get(l) ?? 0) },
      ],
    });
  });

  const sim: string[] = [];
  for (const t of d.trajectories) {
    sim.push(
      canvas({
        id: nextId(),
        type: 'line',
        title: `${t.field} over time (mean over agents), worlds ${t.worlds.map((w) => w.world).join(', ')}`,
        histogram: false,
        labels: t.steps.map(String),
        datasets: t.worlds.map((w) => ({ label: `world ${w.world}`, data: w.means.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null)) })),
      }),
    );
  }
  if (d.events?.length) {
    sim.push(
      canvas({
        id: nextId(),
        type: 'bar',
        title: 'events over time (step, all worlds)',
        histogram: true,
        counts: true,
        labels: d.events.map((b) => b.label),
        ranges: d.events.map((b) => `step ${b.range}: ${displayCount(b.count)} events`),
        datasets: [{ label: 'events', data: d.events.map((b) => b.count) }],
      }),
    );
  }

  const textStats = d.columns
    .filter((s) => s.kind === 'text')
    .map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(distinctText(s))} of ${esc(displayCount(s.count))}</td><td>${esc((s.bigramRatio ?? 1).toFixed(3))}</td></tr>`)
    .join('');
  const textNote = d.textSampleRows < d.rows ? ` (bigrams over a seeded sample of ${esc(displayCount(d.textSampleRows))} rows)` : '';

  return `<section class="dataset">
<h2>${esc(m.dataset.name)} <small>→ ${esc(m.dataset.output)}</small></h2>
<div class="kv">${kvHtml}</div>
${d.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
${expects}
${columnTable(d)}
${columnCharts.length ? `<h3>Columns</h3><div class="grid">${columnCharts.join('')}</div>` : ''}
${chartsLeftOut > 0 ? `<p class="note">${chartsLeftOut} more column charts not drawn (the table above lists every column).</p>` : ''}
${varyCharts.length ? `<h3>Declared vs realised</h3><div class="grid">${varyCharts.join('')}</div>` : ''}
${sim.length ? `<h3>Simulation</h3><div class="grid">${sim.join('')}</div>` : ''}
${imageGroups(d, imageBase)}
${textStats ? `<h3>Text diversity</h3><table><tr><th>field</th><th>distinct rows</th><th>distinct bigram ratio${textNote}</th></tr>${textStats}</table>` : ''}
${sampleTable(d)}
</section>`;
}

function chartTitle(s: ColumnSummary): string {
  if (s.kind === 'text') return `${s.name}: length in characters`;
  if (s.kind === 'number') return `${s.name}${s.numeric?.f32 ? ' (f32)' : ''}`;
  return s.name;
}

function distinctText(s: ColumnSummary): string {
  if (!s.distinct) return '';
  return (s.distinct.exact ? '' : '≈ ') + displayCount(s.distinct.value);
}

function columnTable(d: DatasetReport): string {
  if (!d.columns.length) return '<p>No rows.</p>';
  const notesOf = (s: ColumnSummary) =>
    [
      s.nonFinite ? `${displayCount(s.nonFinite)} NaN/∞` : '',
      s.otherValues ? `${displayCount(s.otherValues)} in “other”` : '',
      s.offKind ? `${displayCount(s.offKind.count)} ${s.offKind.count === 1 ? 'value is' : 'values are'} not ${/^[aeiou]/.test(s.offKind.expected) ? 'an' : 'a'} ${s.offKind.expected} (${s.offKind.kinds.join(', ')}): left out of the statistics` : '',
    ]
      .filter(Boolean)
      .join(', ');
  // the notes column only when a column has notes: an empty column with a blank header says nothing
  const withNotes = d.columns.some((s) => notesOf(s) !== '');
  const rows = d.columns
    .map((s) => {
      const n = s.numeric;
      const notes = withNotes ? `<td>${esc(notesOf(s))}</td>` : '';
      return `<tr><td>${esc(s.name)}</td><td>${esc(s.type)}</td><td class="num">${esc(displayCount(s.count))}</td><td class="num">${esc(displayCount(s.missing))}</td><td class="num">${esc(distinctText(s))}</td><td class="num">${esc(n?.min ?? '')}</td><td class="num">${esc(n?.median ?? '')}</td><td class="num">${esc(n?.mean ?? '')}</td><td class="num">${esc(n?.max ?? '')}</td>${notes}</tr>`;
    })
    .join('');
  const left = d.columnsLeftOut ? `<p class="note">${d.columnsLeftOut} more columns not summarised (a dataset's first 200 columns are).</p>` : '';
  return `<h3>Column statistics <small>(every row counted: ${esc(displayCount(d.rows))})</small></h3><div class="scroll"><table class="columns"><tr><th>column</th><th>type</th><th>present</th><th>missing</th><th>distinct</th><th>min</th><th>median</th><th>mean</th><th>max</th>${withNotes ? '<th>notes</th>' : ''}</tr>${rows}</table></div>${left}`;
}

function sampleTable(d: DatasetReport): string {
  if (!d.sample.length) return '';
  const cols = d.columns.slice(0, SAMPLE_COLUMNS);
  const f32 = new Map(cols.map((s) => [s.name, s.numeric?.f32 ?? false]));
  const what = d.sample.length < d.rows ? `a seeded random sample of ${d.sample.length} of ${esc(displayCount(d.rows))} rows` : `all ${d.rows} rows`;
  const more = d.columns.length > cols.length ? `; first ${cols.length} of ${d.columns.length} columns` : '';
  return `<h3>Sample rows <small>(${what}${more})</small></h3><div class="scroll"><table class="sample"><tr><th>#</th>${cols.map((s) => `<th>${esc(s.name)}</th>`).join('')}</tr>${d.sample
    .map(({ index, item }) => `<tr><td class="num">${index + 1}</td>${cols.map((s) => cellHtml(item[s.name], f32.get(s.name)!)).join('')}</tr>`)
    .join('')}</table></div>`;
}

function cellHtml(v: Value | undefined, f32: boolean): string {
  const text = cellText(v, f32);
  const shown = text.length > CELL_CHARS ? text.slice(0, CELL_CHARS) + '…' : text;
  const title = text.length > CELL_TITLE_CHARS ? text.slice(0, CELL_TITLE_CHARS) + '…' : text;
  return `<td title="${esc(title)}">${esc(shown)}</td>`;
}

function cellText(v: Value | undefined, f32: boolean): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return displayValue(v, f32 && !Number.isInteger(v));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Image datasets: the first groups as rows of thumbnails with their caption, and how many images each group
 * holds. Thumbnails link to the files beside the output (the report stays small; open it where the dataset is);
 * a path that is not relative (a URL, an absolute path) is shown as text, never loaded.
 */
function imageGroups(d: DatasetReport, imageBase: string): string {
  const g = d.images;
  if (!g) return '';
  const img = (p: { path: string; sha: string }) => {
    const rel = relativeSrc(p.path);
    if (!rel) return `<code>${esc(p.path)}</code>`;
    return `<img loading="lazy" width="96" height="96" alt="${esc(p.sha.slice(0, 12))}" src="${esc((imageBase ? imageBase + '/' : '') + rel)}">`;
  };
  const shown = g.shown.map(
    (s) => `<tr><td><code>${esc(s.group)}</code>${s.caption !== undefined ? `<br>${esc(s.caption.slice(0, CELL_CHARS))}` : ''}</td><td>${s.images.map(img).join(' ')}</td></tr>`,
  );
  return `<h3>Image groups</h3><div class="kv"><div><b>groups</b> ${g.groups}</div><div><b>images</b> ${g.images}</div><div><b>per group</b> ${g.minPerGroup} … ${g.maxPerGroup}</div></div>
<table class="images"><tr><th>group${g.captionField ? ` / ${esc(g.captionField)}` : ''}</th><th>images</th></tr>${shown.join('')}</table>`;
}
