// Rendering the estimate (compiler/plan/estimate.ts) for `synth run --dry-run`: a table for people, or JSON for
// tools (`--format json`). The figures are the estimate's; nothing here computes a cost.
import { countOf, formatUsd, type Counts, type DatasetEstimate, type MemoryEstimate, type PlanEstimate } from '../compiler/plan/estimate.js';
import { formatBytes } from '../compiler/sim/memory.js';
import { memoryLimitText, memoryParts } from '../runtime/sim/memory.js';
import type { Plan } from '../compiler/plan/schema.js';

const num = (n: number | null | undefined) => (n === null || n === undefined ? 'per item' : n.toLocaleString('en-US'));

/** A dataset's cost cell: `(no price)` when nothing it calls is priced, `≥ $x` when only some of it is. */
function usdCell(usd: number | undefined, unpriced: string[]): string {
  if (usd === undefined) return 'per item';
  if (unpriced.length) return usd > 0 ? `≥ ${formatUsd(usd)}` : '(no price)';
  return formatUsd(usd);
}

/** What a model block lacks for the calls it is asked to make: `input`/`output` for chat, `image` for images. */
function missingPrice(plan: Plan, e: PlanEstimate, model: string): string {
  const called = new Set(e.datasets.flatMap((d) => Object.keys(d.perRow.prompts)));
  const kinds = new Set(Object.values(plan.prompts).filter((p) => p.model === model && called.has(p.name)).map((p) => p.returns.kind));
  const keys = [...(kinds.has('json') || kinds.has('text') ? ['input: …', 'output: …'] : []), ...(kinds.has('image') ? ['image: …'] : [])];
  return `${model} (\`price { ${keys.join(', ')} }\`)`;
}

/**
 * The estimate as a table: one line per dataset (rows, calls, prompt and completion tokens, images when any
 * dataset draws them, USD), a total line for several datasets, calls per model when several models are called,
 * then what was not priced. Ends with a newline.
 */
export function estimateText(plan: Plan, e: PlanEstimate): string {
  const withImages = e.datasets.some((d) => d.perRow.images > 0);
  const head = ['dataset', 'rows', 'calls', 'prompt tok', 'completion tok', ...(withImages ? ['images'] : []), 'est. USD'];
  // an upper bound (calls in branches that depend on a model's answer were all counted) reads `≤ n`; a cost of
  // items not all counted (rows unknown) is a lower bound and reads `≥ $`
  const cells = (name: string, rows: number | null, c: Counts | null, unpriced: string[], upper: boolean, lowerBound = false) => {
    const at = (x: string) => (upper && x !== 'per item' ? `≤ ${x}` : x);
    return [
      name,
      rows === null && c ? '?' : num(rows),
      at(num(c?.calls)),
      at(num(c?.promptTokens)),
      at(num(c?.completionTokens)),
      ...(withImages ? [at(num(c?.images))] : []),
      lowerBound && c ? `≥ ${usdCell(c.usd, unpriced)}` : at(usdCell(c?.usd, unpriced)),
    ];
  };
  const table = [head, ...e.datasets.map((d) => cells(d.dataset, d.rows, d.total, d.unpriced, d.upperBound, d.lowerBound))];
  if (e.datasets.length > 1) table.push(cells('total', e.total.rows, e.total, e.unpriced, e.upperBound.length > 0));
  // Columns as wide as their widest cell: names left-aligned, figures right-aligned, cost last and left-aligned.
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(i === 0 ? widths[i]! : 0) : c.padStart(widths[i]!))).join('   ').trimEnd());
  const models = Object.entries(e.total.models);
  const bounded = boundedModels(e);
  if (models.length > 1) {
    lines.push('', 'by model:');
    for (const [m, c] of models) {
      const le = bounded.has(m) ? '≤ ' : '';
      lines.push(`  ${m.padEnd(20)} ${(le + countOf(c.calls, 'call')).padStart(16)}   ${e.unpriced.includes(m) ? '(no price)' : le + formatUsd(c.usd)}`);
    }
  }
  const perItem = e.datasets.filter((d) => d.rows === null && !d.total);
  lines.push('', 'Nothing was sent. Token counts are estimates: about 4 characters a token, completions at half of max_tokens.');
  for (const d of e.datasets) if (d.rowsNote) lines.push(`${d.dataset}: ${d.rowsNote}.`);
  if (perItem.length) lines.push(`Not counted: ${perItem.map((d) => d.dataset).join(', ')} (one row per item; the items were not counted).`);
  if (e.upperBound.length) lines.push(`Upper bound (≤): ${e.upperBound.join(', ')} — some calls are in branches that depend on a model's answer, and every branch was counted; a call whose model an answer chooses counts on each model it may reach, so the models' figures may add up to more than the total.`);
  if (e.memory) lines.push(memoryLine(e.memory));
  if (e.unpriced.length) lines.push(`No price for ${e.unpriced.map((m) => missingPrice(plan, e, m)).join(', ')}: add ${e.unpriced.length === 1 ? 'it to the model block' : 'them to the model blocks'} for a cost.`);
  return lines.join('\n') + '\n';
}

/**
 * `Memory: about 18.9 MiB at once (simulation traffic 18.9 MiB: state 832 KiB, …; output buffers 72.0 MiB), of
 * this machine's 23.5 GiB.` — the figure `synth run` holds the run to (SYN6010 beyond it).
 */
function memoryLine(m: MemoryEstimate): string {
  const of = m.available === Infinity ? '' : `, of ${memoryLimitText(m)}`;
  return `Memory: about ${formatBytes(m.total)} at once (${memoryParts(m)})${of}.`;
}

function memoryJson(m: MemoryEstimate): object {
  return {
    bytes: m.total,
    sims: m.sims.map((s) => ({ name: s.name, bytes: s.total, parts: Object.fromEntries(s.parts.map((p) => [p.name, p.bytes])) })),
    buffers_bytes: m.buffers,
    available_bytes: m.available === Infinity ? null : m.available,
    limited_by: m.limitedBy,
  };
}

const usd6 = (usd: number) => Math.round(usd * 1e6) / 1e6;

function countsJson(c: Counts): object {
  return { calls: c.calls, tokens: { prompt: c.promptTokens, completion: c.completionTokens }, images: c.images, cost_usd: usd6(c.usd) };
}

/** `bounded`: the names whose figures are upper bounds (`upper_bound: true` beside their counts). */
function byName(m: Record<string, Counts>, bounded: Set<string> = new Set()): Record<string, object> {
  return Object.fromEntries(Object.entries(m).map(([k, c]) => [k, { ...countsJson(c), ...(bounded.has(k) ? { upper_bound: true } : {}) }]));
}

/** The models whose figures are upper bounds: those an upper-bound dataset calls (its figures count every
 *  branch, and a call whose model an answer chooses on every model it may reach; compiler/plan/estimate.ts). */
function boundedModels(e: PlanEstimate): Set<string> {
  return new Set(e.datasets.filter((d) => d.upperBound).flatMap((d) => Object.keys(d.total?.models ?? d.perRow.models)));
}

function datasetJson(d: DatasetEstimate): object {
  const t = d.total;
  return {
    name: d.dataset,
    rows: d.rows,
    ...(t ? countsJson(t) : { calls: null, tokens: null, images: null, cost_usd: null }),
    models: t ? byName(t.models, d.upperBound ? new Set(Object.keys(t.models)) : undefined) : null,
    prompts: t ? byName(t.prompts) : null,
    per_row: { ...countsJson(d.perRow), models: byName(d.perRow.models, d.upperBound ? new Set(Object.keys(d.perRow.models)) : undefined), prompts: byName(d.perRow.prompts) },
    unpriced: d.unpriced,
    upper_bound: d.upperBound,
    ...(d.rowsNote ? { rows_note: d.rowsNote } : {}),
    ...(d.lowerBound ? { lower_bound: true } : {}),
  };
}

/**
 * The estimate as JSON (`synth run --dry-run --format json`): `{ synth: "estimate", spec, plan, datasets: [{ name,
 * rows, calls, tokens: { prompt, completion }, images, cost_usd, models: { NAME: {…} }, prompts: { NAME: {…} },
 * per_row: {…}, unpriced, upper_bound }], total: { rows, calls, tokens, images, cost_usd, models, prompts }, unpriced,
 * uncounted, upper_bound }` (`upper_bound`: the datasets whose figures count every branch of a condition on a
 * model's answer; a model's counts carry `upper_bound: true` when they are such a bound — a call whose model an
 * answer chooses counts on every model it may reach, so the models' figures may add up to more than the total). Costs in USD rounded to micro-USD; unpriced calls count as 0 and their models are listed in
 * `unpriced`; a dataset whose rows are unknown has null totals and is listed in `uncounted`.
 */
export function estimateJson(plan: Plan, e: PlanEstimate): string {
  const json = {
    synth: 'estimate',
    spec: plan.spec.file,
    plan: plan.hash,
    datasets: e.datasets.map(datasetJson),
    total: { rows: e.total.rows, ...countsJson(e.total), models: byName(e.total.models, boundedModels(e)), prompts: byName(e.total.prompts) },
    unpriced: e.unpriced,
    uncounted: e.uncounted,
    upper_bound: e.upperBound,
    ...(e.memory ? { memory: memoryJson(e.memory) } : {}),
  };
  return JSON.stringify(json, null, 2) + '\n';
}
