// The one cost estimate of a plan, and the cost of an answered call. `synth run --dry-run`, the `--budget`
// pre-check, the language server's hovers and inlay hints, and (through `costOf`) the cost the runtime charges
// to the budget and writes into each manifest all come from here, so they cannot disagree.
//
// How a call is estimated before it is made (the runtime counts real usage instead):
//  - prompt tokens: the prompt's template text plus the return type's JSON Schema at about 4 characters a token
//    (OpenAI's rule of thumb for English), 24 characters for each `{…}` hole, plus 8 tokens of message framing per
//    message;
//  - completion tokens: half of `max_tokens` (the prompt's, else the model's, else 512);
//  - an image prompt: `images` images per call (default 1), no tokens.
// Cost: tokens at `price { input, output }` USD per 1M tokens, images at `price { image }` USD each; chat calls of
// a `mode batch` model at `batch_discount` (price.ts). Retries, cache hits and filtered rows are not predicted:
// every row is counted as one pass over its prompt calls.
//
// Rows that depend on draws or answers are counted by their expectation: `each randint(1, 5)` as 3 rows per item,
// a nested `for` over a list whose length the spec bounds (`@items(3..5)` on the field, a list literal) as the
// middle of the bounds per element; `rowsNote` says so. A nested `for` over a list of unknown length (a model's
// answer without `@items`) leaves the rows unknown: the calls before it are still counted (`lowerBound`), the
// calls after it are not, and `rowsNote` says why. A dataset that reads another has that one's rows as items.
import type { ExprIR } from './expr-ir.js';
import { promptCalls } from './eval.js';
import { batchDiscount, modelPrice } from './price.js';
import type { DatasetStage, DatasetStep, Plan, PromptStage, Sampler } from './schema.js';

/** The parts of a plan an estimate reads (a whole `Plan` will do; the language server lowers only these). */
export type EstimatePlanInput = Pick<Plan, 'models' | 'prompts' | 'datasets'>;

/** What calls used or are expected to use: tokens (counts) and images (count). */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  images: number;
}

/** Calls, their usage and their cost in USD (unpriced calls count as $0; see `unpriced` beside each tally). */
export interface Counts extends Usage {
  calls: number;
  usd: number;
}

/** Counts in total and split by model block and by prompt (keys: their names in the spec). */
export interface Tally extends Counts {
  models: Record<string, Counts>;
  prompts: Record<string, Counts>;
}

/** One call of a prompt, as the estimate expects it. */
export interface CallEstimate extends Usage {
  prompt: string;
  model: string;
  kind: 'chat' | 'image';
  /** chat calls of a `mode batch` model go through the provider's Batch API, at `batch_discount` */
  batch: boolean;
  /** USD per call; undefined when the model block has no price for what the call uses */
  usd: number | undefined;
}

export interface DatasetEstimate {
  dataset: string;
  /** rows the run makes (`count`, the grid's size, or items × `each`; at most `--limit`); null: a `for` dataset whose items were not counted */
  rows: number | null;
  /** what one row costs: one pass over the row's prompt calls */
  perRow: Tally;
  /** perRow × rows (per row index, with a nested `for`); null when rows is null and nothing can be counted */
  total: Tally | null;
  /** models this dataset calls that have no price for what it asks of them (their calls count as $0) */
  unpriced: string[];
  /** how rows were counted when not exactly (an expectation), or why they are unknown */
  rowsNote?: string;
  /** `total` counts only the calls before a nested `for` of unknown length: the real cost is higher */
  lowerBound?: true;
}

export interface PlanEstimate {
  datasets: DatasetEstimate[];
  /** the sum over datasets whose rows are known */
  total: Tally & { rows: number };
  /** models called without a price for what they are asked (sorted) */
  unpriced: string[];
  /** `for` datasets whose items were not counted, so they are not in the total */
  uncounted: string[];
}

export interface EstimateOptions {
  /** only these datasets (default: all, in declaration order) */
  datasets?: string[];
  /** at most this many rows per dataset (`synth run --limit`) */
  limit?: number;
  /** per `for` dataset: how many items its simulation or source yields (counted by the runtime; absent: unknown) */
  itemCounts?: Record<string, number>;
}

const zero = (): Counts => ({ calls: 0, promptTokens: 0, completionTokens: 0, images: 0, usd: 0 });
const emptyTally = (): Tally => ({ ...zero(), models: {}, prompts: {} });

function addTo(into: Counts, c: Counts, times: number): void {
  into.calls += c.calls * times;
  into.promptTokens += c.promptTokens * times;
  into.completionTokens += c.completionTokens * times;
  into.images += c.images * times;
  into.usd += c.usd * times;
}

function addTally(into: Tally, t: Tally, times: number): void {
  addTo(into, t, times);
  for (const [k, c] of Object.entries(t.models)) addTo((into.models[k] ??= zero()), c, times);
  for (const [k, c] of Object.entries(t.prompts)) addTo((into.prompts[k] ??= zero()), c, times);
}

/**
 * USD of one call's usage at a model's price record (`modelPrice`): tokens at `input`/`output` USD per 1M
 * tokens, images at `image` USD each, times `batch_discount` when the call went through a provider batch.
 * Undefined when the record is missing, or lacks `image` for a call that drew images. Used for estimates and
 * for the cost of answered calls (budget, progress, manifest).
 */
export function costOf(price: Record<string, number> | undefined, usage: Usage, opts: { batch?: boolean } = {}): number | undefined {
  if (!price) return undefined;
  if (usage.images > 0 && price['image'] === undefined) return undefined;
  const usd = (usage.promptTokens * (price['input'] ?? 0) + usage.completionTokens * (price['output'] ?? 0)) / 1e6 + usage.images * (price['image'] ?? 0);
  return opts.batch ? usd * batchDiscount(price) : usd;
}

/** Characters of a message template: its text, and 24 for each interpolated value. */
function templateChars(t: ExprIR): number {
  if ('template' in t) return t.template.reduce<number>((n, p) => n + (typeof p === 'string' ? p.length : 24), 0);
  return 0;
}

/** The expected usage and cost of one call of `prompt` (see the header for the model); undefined for an unknown prompt. */
export function estimateCall(plan: EstimatePlanInput, prompt: string): CallEstimate | undefined {
  const p = plan.prompts[prompt];
  if (!p) return undefined;
  const m = plan.models[p.model];
  const price = modelPrice(plan, p.model);
  if (p.returns.kind === 'image') {
    const images = imagesPerCall(p);
    const usage = { promptTokens: 0, completionTokens: 0, images };
    return { prompt, model: p.model, kind: 'image', batch: false, ...usage, usd: costOf(price, usage) };
  }
  const chars = p.messages.reduce((a, msg) => a + templateChars(msg.template), 0) + JSON.stringify(p.returns.schema ?? '').length;
  const maxTokens = Number(p.settings['max_tokens'] ?? m?.settings['max_tokens'] ?? 512);
  const usage = { promptTokens: Math.ceil(chars / 4) + 8 * p.messages.length, completionTokens: Math.ceil(maxTokens / 2), images: 0 };
  const batch = m?.mode === 'batch';
  return { prompt, model: p.model, kind: 'chat', batch, ...usage, usd: costOf(price, usage, { batch }) };
}

/** The expressions a step evaluates for each row, where prompt calls happen. */
function stepCalls(s: DatasetStep): ExprIR[] {
  return 'let' in s ? [s.expr] : 'row' in s ? [s.row] : 'judge' in s ? [s.call] : 'for' in s ? [s.list] : [];
}

/** The mean of an integer sampler (`each randint(1, 5)` → 3); 1 for anything else. */
function meanOf(s: Sampler): number {
  // `each` samplers have constant parameters (the checker's eachBounds)
  if (s.kind === 'randint' && typeof s.low === 'number' && typeof s.high === 'number') return (s.low + s.high) / 2;
  if (s.kind === 'choice' && s.values.every((v) => typeof v === 'number')) {
    const total = s.weights.reduce((a, b) => a + b, 0) || 1;
    return s.values.reduce<number>((a, v, i) => a + (v as number) * s.weights[i]!, 0) / total;
  }
  return 1;
}

/** The prompt calls one row of `ds` makes, in step order (nested calls each count), with their argument expressions. */
export function rowPromptCalls(ds: DatasetStage): Array<Extract<ExprIR, { prompt: string }>> {
  return ds.steps.flatMap(stepCalls).flatMap(promptCalls);
}

/** Images one call of an image prompt asks for: its `images` setting, by default 1. */
export function imagesPerCall(p: PromptStage): number {
  return typeof p.settings['images'] === 'number' ? p.settings['images'] : 1;
}

/**
 * The rows a dataset makes (for a `for`: items × `each`, at most its `count`), or null when it is fed by items nobody counted (see `DatasetEstimate.rows`), or when
 * its count is no finite number (a spec with errors, as the editor sees it while typing).
 */
function rowsOf(ds: DatasetStage, opts: EstimateOptions): number | null {
  const each = 'for' in ds.rows ? (ds.rows.for.eachSampler ? meanOf(ds.rows.for.eachSampler) : ds.rows.for.each) : 1;
  let rows: number | null = 'count' in ds.rows ? ds.rows.count : opts.itemCounts?.[ds.name] !== undefined ? opts.itemCounts[ds.name]! * each : null;
  // `count N` beside a `for`: at most the first N rows (the items are those that pass its `where`, counted by the runtime)
  if (rows !== null && 'for' in ds.rows && ds.rows.for.count !== undefined) rows = Math.min(rows, ds.rows.for.count);
  if (opts.limit !== undefined) rows = rows === null ? opts.limit : Math.min(rows, opts.limit);
  return rows === null || !Number.isFinite(rows) ? null : Math.max(0, Math.floor(rows));
}

/**
 * One dataset's estimate: what a row's prompt calls cost, times its rows. With a nested `for`, `perRow` is what
 * one row index costs (its calls before the fan-out once, those after it once per expected element).
 */
export function estimateDataset(plan: EstimatePlanInput, ds: DatasetStage, opts: EstimateOptions = {}): DatasetEstimate {
  const perRow = emptyTally();
  const unpriced = new Set<string>();
  // rows one index makes: 1, times each nested `for`'s expected length; null once a length is unknown
  let fan: number | null = 1;
  const notes: string[] = [];
  if ('for' in ds.rows && ds.rows.for.eachSampler) notes.push(`each item makes ${+meanOf(ds.rows.for.eachSampler).toFixed(2)} rows on average (at most ${ds.rows.for.each})`);
  for (const step of ds.steps) {
    if (fan === null) break; // calls after a fan-out of unknown size cannot be counted
    for (const node of stepCalls(step).flatMap(promptCalls)) {
      const call = estimateCall(plan, node.prompt);
      if (!call) continue;
      if (call.usd === undefined) unpriced.add(call.model);
      const c: Counts = { calls: 1, promptTokens: call.promptTokens, completionTokens: call.completionTokens, images: call.images, usd: call.usd ?? 0 };
      addTally(perRow, { ...c, models: { [call.model]: c }, prompts: { [call.prompt]: c } }, fan);
    }
    if ('for' in step) {
      const each = step.each.sampler ? meanOf(step.each.sampler) : step.each.count;
      if (step.size) {
        const per = ((step.size.min + step.size.max) / 2) * each;
        fan *= per;
        notes.push(`\`for ${step.for}\` makes ${+per.toFixed(2)} rows per ${step.level > 1 ? 'element' : 'row index'} on average (list length ${step.size.min}..${step.size.max}${each !== 1 ? `, each ${+each.toFixed(2)}` : ''})`);
      } else {
        fan = null;
        notes.push(`rows unknown: \`for ${step.for}\` ranges over a list whose length is known only when the row is made (bound it with @items on the field for an estimate); calls after it are not counted`);
      }
    }
  }
  const indices = rowsOf(ds, opts);
  // `count` with a nested `for` counts rows: the indices it needs are the rows over the fan-out
  const nestedCount = 'count' in ds.rows && ds.nested === true;
  // (a fan-out of unknown size: at most `count` indices, whose calls after the fan-out are not counted)
  const rowIndices = nestedCount && indices !== null ? (fan ? Math.ceil(indices / fan) : indices) : indices;
  const rows = nestedCount ? indices : indices !== null && fan !== null ? Math.round(indices * fan) : null;
  let total: Tally | null = null;
  if (rowIndices !== null) addTally((total = emptyTally()), perRow, rowIndices);
  return {
    dataset: ds.name,
    rows,
    perRow,
    total,
    unpriced: [...unpriced].sort(),
    ...(notes.length ? { rowsNote: notes.join('; ') } : {}),
    ...(fan === null && total ? { lowerBound: true as const } : {}),
  };
}

/**
 * The estimate of a run: per dataset (in declaration order, only `opts.datasets` when given) and in total.
 * Unknown dataset names are skipped (the runtime reports them as SYN5006). Pure: nothing is read or sent.
 */
export function estimatePlan(plan: EstimatePlanInput, opts: EstimateOptions = {}): PlanEstimate {
  const datasets: DatasetEstimate[] = [];
  const total = { ...emptyTally(), rows: 0 };
  const unpriced = new Set<string>();
  const uncounted: string[] = [];
  // a dataset that reads another has that one's rows as items: estimate what is read first
  const byName = new Map<string, DatasetEstimate>();
  const itemCounts = { ...opts.itemCounts };
  const estimate = (ds: DatasetStage, path: Set<string>): DatasetEstimate => {
    let e = byName.get(ds.name);
    if (e) return e;
    if ('for' in ds.rows && ds.rows.for.kind === 'dataset' && itemCounts[ds.name] === undefined && !path.has(ds.name)) {
      const up = plan.datasets[ds.rows.for.from];
      const rows = up ? estimate(up, new Set([...path, ds.name])).rows : null;
      if (rows !== null) itemCounts[ds.name] = rows;
    }
    e = estimateDataset(plan, ds, { ...opts, itemCounts });
    byName.set(ds.name, e);
    return e;
  };
  for (const ds of Object.values(plan.datasets)) {
    if (opts.datasets?.length && !opts.datasets.includes(ds.name)) continue;
    const e = estimate(ds, new Set());
    datasets.push(e);
    e.unpriced.forEach((m) => unpriced.add(m));
    if (!e.total) uncounted.push(ds.name);
    else {
      total.rows += e.rows ?? 0;
      addTally(total, e.total, 1);
    }
  }
  return { datasets, total, unpriced: [...unpriced].sort(), uncounted };
}

/**
 * An amount of USD for people: cents from $1 up (`$1,234.56`), two significant digits below (`$0.50`, `$0.044`,
 * `$0.0016`), so a small estimate never shows as `$0.00`. Exactly 0 is `$0.00`.
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return `$${usd}`;
  const abs = Math.abs(usd);
  if (abs >= 1 || abs === 0) return `${usd < 0 ? '-' : ''}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const digits = Math.min(20, Math.max(2, 1 - Math.floor(Math.log10(abs))));
  return `${usd < 0 ? '-' : ''}$${abs.toFixed(digits)}`;
}

/** `1 row`, `5,000 rows`: a count with its noun, pluralised with `s`. */
export function countOf(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
