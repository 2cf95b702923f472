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
import type { ExprIR } from './expr-ir.js';
import { promptCalls } from './eval.js';
import { batchDiscount, modelPrice } from './price.js';
import type { DatasetStage, DatasetStep, Plan, PromptStage } from './schema.js';

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
  /** perRow × rows; null when rows is null */
  total: Tally | null;
  /** models this dataset calls that have no price for what it asks of them (their calls count as $0) */
  unpriced: string[];
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
  return 'let' in s ? [s.expr] : 'row' in s ? [s.row] : 'judge' in s ? [s.call] : [];
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
  let rows: number | null = 'count' in ds.rows ? ds.rows.count : opts.itemCounts?.[ds.name] !== undefined ? opts.itemCounts[ds.name]! * ds.rows.for.each : null;
  // `count N` beside a `for`: at most the first N rows (the items are those that pass its `where`, counted by the runtime)
  if (rows !== null && 'for' in ds.rows && ds.rows.for.count !== undefined) rows = Math.min(rows, ds.rows.for.count);
  if (opts.limit !== undefined) rows = rows === null ? opts.limit : Math.min(rows, opts.limit);
  return rows === null || !Number.isFinite(rows) ? null : Math.max(0, Math.floor(rows));
}

/** One dataset's estimate: what a row's prompt calls cost, times its rows. */
export function estimateDataset(plan: EstimatePlanInput, ds: DatasetStage, opts: EstimateOptions = {}): DatasetEstimate {
  const perRow = emptyTally();
  const unpriced = new Set<string>();
  for (const node of rowPromptCalls(ds)) {
    const call = estimateCall(plan, node.prompt);
    if (!call) continue;
    if (call.usd === undefined) unpriced.add(call.model);
    const c: Counts = { calls: 1, promptTokens: call.promptTokens, completionTokens: call.completionTokens, images: call.images, usd: call.usd ?? 0 };
    addTally(perRow, { ...c, models: { [call.model]: c }, prompts: { [call.prompt]: c } }, 1);
  }
  const rows = rowsOf(ds, opts);
  let total: Tally | null = null;
  if (rows !== null) addTally((total = emptyTally()), perRow, rows);
  return { dataset: ds.name, rows, perRow, total, unpriced: [...unpriced].sort() };
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
  for (const ds of Object.values(plan.datasets)) {
    if (opts.datasets?.length && !opts.datasets.includes(ds.name)) continue;
    const e = estimateDataset(plan, ds, opts);
    datasets.push(e);
    e.unpriced.forEach((m) => unpriced.add(m));
    if (e.rows === null || !e.total) uncounted.push(ds.name);
    else {
      total.rows += e.rows;
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
