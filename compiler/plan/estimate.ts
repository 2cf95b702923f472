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
// a `mode batch` model at `batch_discount` (price.ts). Retries, cache hits and fallbacks are not predicted.
//
// Which calls a row makes: every prompt call of its steps, once — unless a call is conditional (inside an
// `if_else`, a `match`, `&&`/`||`, a loop) or chooses its model per row (`using m`). Then each row is run
// through the step interpreter (interpret.ts) with its real `vary` draws and `for` item and unknown answers:
// conditions on draws and items are decided as the run decides them (so the counts are exact), a `check` that
// is false on them drops the row as the run does; a condition on a model's answer runs every branch, so its
// calls all count and the estimate says it is an upper bound (`upperBound`).
//
// Rows that depend on draws or answers are counted by their expectation: `each randint(1, 5)` as 3 rows per item,
// a nested `for` over a list whose length the spec bounds (`@items(3..5)` on the field, a list literal) as the
// middle of the bounds per element; `rowsNote` says so. A nested `for` over a list of unknown length (a model's
// answer without `@items`) leaves the rows unknown: the calls before it are still counted (`lowerBound`), the
// calls after it are not, and `rowsNote` says why. A dataset that reads another has that one's rows as items.
// From the first nested `for` on, the steps are counted per expected element, every call once (every branch: an
// upper bound when calls there are conditional); the steps before it row by row as above.
import type { ExprIR } from './expr-ir.js';
import { EvalError, promptCalls, type Value } from './eval.js';
import { runSteps, UNKNOWN, type CallRequest } from './interpret.js';
import { batchDiscount, modelPrice } from './price.js';
import { drawRow, rowIdentity, rowsOfItem } from './rows.js';
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
  /** a call depends on a branch that depends on a model's answer: every branch was counted, so the calls,
   *  tokens and cost are an upper bound. Then each model's figures are an upper bound too: a call whose model an
   *  answer chooses counts on every model the dataset may reach (so they may add up to more than the total) */
  upperBound: boolean;
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
  /** datasets whose figures are an upper bound (see DatasetEstimate.upperBound) */
  upperBound: string[];
  /** what the run would hold in memory at once, when it reads simulations (set by the runtime's dry run) */
  memory?: MemoryEstimate;
}

/**
 * The memory a run would hold at once (runtime/sim/memory.ts `runMemory`, docs/simulations.md "Memory"), all in
 * bytes: each simulation the selected datasets read with its parts (state, observations, events, rows), the
 * output buffers, and what it is compared with — the machine's memory or `--max-memory`.
 */
export interface MemoryEstimate {
  total: number;
  sims: { name: string; total: number; parts: { name: string; bytes: number }[] }[];
  buffers: number;
  /** the limit the run is held to; Infinity when the machine's memory is unknown */
  available: number;
  limitedBy: 'machine' | 'max-memory';
}

export interface EstimateOptions {
  /** only these datasets (default: all, in declaration order) */
  datasets?: string[];
  /** at most this many rows per dataset (`synth run --limit`) */
  limit?: number;
  /** per `for` dataset: how many items its simulation or source yields (counted by the runtime; absent: unknown) */
  itemCounts?: Record<string, number>;
  /** per `for` dataset: its items and their keys (loaded by the runtime), so conditions on them are decided */
  items?: Record<string, { items: Value[]; keys: string[] }>;
  /** rows run through the interpreter per dataset at most (the editor's budget per keystroke); beyond, the
   *  figures are scaled up from the rows run (default: every row) */
  maxRowsEvaluated?: number;
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

/**
 * The expected usage and cost of one call of `prompt` on model block `model` (default: the prompt's own; see the
 * header for the model); undefined for an unknown prompt.
 */
export function estimateCall(plan: EstimatePlanInput, prompt: string, model?: string): CallEstimate | undefined {
  const p = plan.prompts[prompt];
  if (!p) return undefined;
  const name = model ?? p.model;
  const m = plan.models[name];
  const price = modelPrice(plan, name);
  if (p.returns.kind === 'image') {
    const images = imagesPerCall(p);
    const usage = { promptTokens: 0, completionTokens: 0, images };
    return { prompt, model: name, kind: 'image', batch: false, ...usage, usd: costOf(price, usage) };
  }
  const chars = p.messages.reduce((a, msg) => a + templateChars(msg.template), 0) + JSON.stringify(p.returns.schema ?? '').length;
  const maxTokens = Number(p.settings['max_tokens'] ?? m?.settings['max_tokens'] ?? 512);
  const usage = { promptTokens: Math.ceil(chars / 4) + 8 * p.messages.length, completionTokens: Math.ceil(maxTokens / 2), images: 0 };
  const batch = m?.mode === 'batch';
  return { prompt, model: name, kind: 'chat', batch, ...usage, usd: costOf(price, usage, { batch }) };
}

/** The expressions a step evaluates for each row, where prompt calls happen (a loop's: its bounds and body). */
function stepCalls(s: DatasetStep): ExprIR[] {
  if ('loop' in s) return [s.from, s.to, ...s.steps.flatMap(stepCalls)];
  return 'let' in s || 'set' in s ? [s.expr] : 'row' in s ? [s.row] : 'judge' in s ? [s.call] : 'for' in s ? [s.list] : [];
}

/**
 * Does a row of `ds` make calls that only its values decide: a call inside a loop or a conditional (`if_else`,
 * `match`, `&&`, `||`), or one whose model is chosen per row (`using` a variable)? Such datasets are estimated
 * row by row (see the header).
 */
export function hasConditionalCalls(ds: DatasetStage): boolean {
  return ds.steps.some(conditionalStep);
}

/** Does this step hold a call that only the row's values decide (see `hasConditionalCalls`)? */
function conditionalStep(s: DatasetStep): boolean {
  const conditional = (x: unknown, under: boolean): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some((y) => conditional(y, under));
    const n = x as ExprIR;
    if ('prompt' in n) return under || (n.using !== undefined && !('lit' in n.using)) || n.args.some((a) => conditional(a, under));
    if ('call' in n && n.call === 'if_else') return conditional(n.args[0], under) || conditional(n.args.slice(1), true);
    if ('match' in n) return conditional(n.match, under) || conditional(n.cases.map(([, v]) => v), true) || conditional(n.default, true);
    if ('op' in n && (n.op === '&&' || n.op === '||')) return conditional(n.args[0], under) || conditional(n.args[1], true);
    return Object.values(n).some((y) => conditional(y, under));
  };
  return 'loop' in s ? s.steps.some((b) => stepCalls(b).some((e) => promptCalls(e).length > 0)) || s.steps.some(conditionalStep) : stepCalls(s).some((e) => conditional(e, false));
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

/** Calls already estimated, by prompt and model: the row-by-row estimate asks for the same few again and again. */
type CallCache = Map<string, { call: CallEstimate; counts: Counts } | undefined>;

/** Adds `times` calls of `prompt` on `model` to `into` (unpriced models noted in `unpriced`). */
function addCall(plan: EstimatePlanInput, into: Tally, prompt: string, model: string | undefined, unpriced: Set<string>, cache: CallCache = new Map(), times = 1, byModel = true): void {
  const hit = cachedCall(plan, prompt, model, cache);
  if (!hit) return;
  if (hit.call.usd === undefined) unpriced.add(hit.call.model);
  // in place, without a temporary tally per call (the editor re-estimates on every keystroke)
  addTo(into, hit.counts, times);
  if (byModel) addTo((into.models[hit.call.model] ??= zero()), hit.counts, times);
  addTo((into.prompts[hit.call.prompt] ??= zero()), hit.counts, times);
}

/** One call of `prompt` counted on model `model`'s figures only (a call whose model an answer chooses). */
function addCallToModel(plan: EstimatePlanInput, into: Tally, prompt: string, model: string, unpriced: Set<string>, cache: CallCache): void {
  const hit = cachedCall(plan, prompt, model, cache);
  if (!hit) return;
  if (hit.call.usd === undefined) unpriced.add(hit.call.model);
  addTo((into.models[hit.call.model] ??= zero()), hit.counts, 1);
}

function cachedCall(plan: EstimatePlanInput, prompt: string, model: string | undefined, cache: CallCache) {
  const key = `${prompt}\u0000${model ?? ''}`;
  let hit = cache.get(key);
  if (!cache.has(key)) {
    const call = estimateCall(plan, prompt, model);
    hit = call && { call, counts: { calls: 1, promptTokens: call.promptTokens, completionTokens: call.completionTokens, images: call.images, usd: call.usd ?? 0 } };
    cache.set(key, hit);
  }
  return hit;
}

/** Steps counted statically: each call once per row (every branch), times the expected elements of the nested
 *  `for`s before it; `fan` is the rows one index makes (null once a list's length is unknown). */
interface StaticCount {
  perRow: Tally;
  fan: number | null;
  notes: string[];
}

/** Counts `steps` statically (see `StaticCount`); calls after a fan-out of unknown size are not counted. */
function countStatically(plan: EstimatePlanInput, steps: DatasetStep[], unpriced: Set<string>, cache: CallCache): StaticCount {
  const perRow = emptyTally();
  let fan: number | null = 1;
  const notes: string[] = [];
  for (const step of steps) {
    if (fan === null) break; // calls after a fan-out of unknown size cannot be counted
    for (const node of stepCalls(step).flatMap(promptCalls)) addCall(plan, perRow, node.prompt, node.using && 'lit' in node.using ? String(node.using.lit) : undefined, unpriced, cache, fan);
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
  return { perRow, fan, notes };
}

/** What `each` draws per item on average, as a note (a `for` dataset with `each randint(…)`). */
function eachNote(ds: DatasetStage): string[] {
  return 'for' in ds.rows && ds.rows.for.eachSampler ? [`each item makes ${+meanOf(ds.rows.for.eachSampler).toFixed(2)} rows on average (at most ${ds.rows.for.each})`] : [];
}

/** The row indices and rows of a dataset whose one index makes `fan` rows: `count` with a nested `for` counts rows
 *  (the indices it needs are the rows over the fan-out; for a fan-out of unknown size, at most `count` indices). */
function indicesAndRows(ds: DatasetStage, opts: EstimateOptions, fan: number | null): { rowIndices: number | null; rows: number | null } {
  const indices = rowsOf(ds, opts);
  const nestedCount = 'count' in ds.rows && ds.nested === true;
  const rowIndices = nestedCount && indices !== null ? (fan ? Math.ceil(indices / fan) : indices) : indices;
  const rows = nestedCount ? indices : indices !== null && fan !== null ? Math.round(indices * fan) : null;
  return { rowIndices, rows };
}

/**
 * One dataset's estimate: what a row's prompt calls cost, times its rows (row by row when calls are conditional).
 * With a nested `for`, `perRow` is what one row index costs (its calls before the fan-out once, those after it
 * once per expected element).
 */
export function estimateDataset(plan: EstimatePlanInput, ds: DatasetStage, opts: EstimateOptions = {}): DatasetEstimate {
  if (hasConditionalCalls(ds)) return estimateRows(plan, ds, opts);
  const unpriced = new Set<string>();
  const { perRow, fan, notes } = countStatically(plan, ds.steps, unpriced, new Map());
  notes.unshift(...eachNote(ds));
  const { rowIndices, rows } = indicesAndRows(ds, opts, fan);
  let total: Tally | null = null;
  if (rowIndices !== null) addTally((total = emptyTally()), perRow, rowIndices);
  return {
    dataset: ds.name,
    rows,
    perRow,
    total,
    unpriced: [...unpriced].sort(),
    upperBound: false,
    ...(notes.length ? { rowsNote: notes.join('; ') } : {}),
    ...(fan === null && total ? { lowerBound: true as const } : {}),
  };
}

/**
 * The row-by-row estimate (see the header): the row indices the run will decide, in index order — for a `count`
 * dataset the indices it draws until `count` rows pass their known checks (at most 10 × count, as the run), for a
 * `for` dataset every item's — each run through the steps with unknown answers. The steps from the first nested
 * `for` on are counted statically per index (`countStatically`).
 */
function estimateRows(plan: EstimatePlanInput, ds: DatasetStage, opts: EstimateOptions): DatasetEstimate {
  const unpriced = new Set<string>();
  const given = opts.items?.[ds.name];
  const total = emptyTally();
  let upperBound = false;
  const calls: CallCache = new Map();
  // the steps before the first nested `for` run row by row; the fan-out and what follows it are counted per index
  const split = ds.steps.findIndex((st) => 'for' in st);
  const head = split < 0 ? ds.steps : ds.steps.slice(0, split);
  const tail = split < 0 ? undefined : countStatically(plan, ds.steps.slice(split), unpriced, calls);
  if (tail && ds.steps.slice(split).some(conditionalStep)) upperBound = true;
  const fan = tail ? tail.fan : 1;
  const notes = [...eachNote(ds), ...(tail?.notes ?? [])];
  const { rowIndices, rows } = indicesAndRows(ds, opts, fan);
  // a model chosen by an answer counts as the dearest model the dataset reaches, for THAT call's own prompt
  // (models rank differently per prompt: a long prompt on an input-priced model, a long answer on an output-priced one)
  const dearestFor = new Map<string, string | undefined>();
  const dearest = (prompt: string): string | undefined => {
    if (!dearestFor.has(prompt)) {
      const usd = (m: string) => estimateCall(plan, prompt, m)?.usd ?? 0;
      dearestFor.set(prompt, [...(ds.models ?? [])].sort((a, b) => usd(b) - usd(a) || a.localeCompare(b))[0]);
    }
    return dearestFor.get(prompt);
  };
  const each = 'for' in ds.rows ? ds.rows.for.each : 1;
  const drawnEach = 'for' in ds.rows && ds.rows.for.eachSampler !== undefined;
  /** Index i's calls into `into`: 'row' (made or failed: decided), 'filtered' (a check the draws decide), 'absent'. */
  const runRow = (i: number, into: Tally): 'row' | 'filtered' | 'absent' => {
    const env = new Map<string, Value>();
    const id = rowIdentity(ds, i, given?.keys);
    // a drawn `each` below its most: no row has this index
    if (drawnEach && given && i % each >= rowsOfItem(ds, given.keys[id.item] ?? String(id.item))) return 'absent';
    const item = given ? given.items[Math.floor(i / each)] : 'for' in ds.rows ? UNKNOWN : undefined;
    drawRow(ds, i, env, id, item, { explore: true });
    const run = runSteps(head, env, { explore: true, onUpperBound: () => (upperBound = true) });
    try {
      let next = run.next();
      while (!next.done) {
        const r: CallRequest = next.value;
        let model: string | undefined;
        if (r.model === UNKNOWN) {
          upperBound = true;
          model = dearest(r.prompt);
          // the total and the prompt count it once, at the dearest model; each model it may reach counts it
          // too, so every model's figure is an upper bound of the calls it receives (their sum exceeds the total)
          addCall(plan, into, r.prompt, model, unpriced, calls, 1, false);
          for (const m of ds.models ?? []) addCallToModel(plan, into, r.prompt, m, unpriced, calls);
          next = run.next(UNKNOWN);
          continue;
        } else if (typeof r.model === 'string') model = r.model;
        addCall(plan, into, r.prompt, model, unpriced, calls);
        next = run.next(UNKNOWN);
      }
      if (next.value !== undefined) return 'filtered';
    } catch (e) {
      if (e instanceof EvalError) return 'row'; // the row fails: a hole, not replaced
      throw e;
    }
    if (tail) addTally(into, tail.perRow, 1);
    return 'row';
  };
  const result = (perRow: Tally, t: Tally | null): DatasetEstimate => ({
    dataset: ds.name,
    rows,
    perRow,
    total: t,
    unpriced: [...unpriced].sort(),
    upperBound,
    ...(notes.length ? { rowsNote: notes.join('; ') } : {}),
    ...(fan === null && t ? { lowerBound: true as const } : {}),
  });
  if (rowIndices === null) {
    // a `for` dataset whose items were not counted: one row with an unknown item
    const perRow = emptyTally();
    runRow(0, perRow);
    return result(perRow, null);
  }
  const isFor = 'for' in ds.rows;
  // A `for` dataset decides each index once: with a drawn `each` and its items given, every index they reserve
  // (the absent ones make no row); otherwise its expected rows. A `count` dataset draws until its rows are made.
  const forIndices = drawnEach && given && !('for' in ds.rows && ds.rows.for.count !== undefined) && opts.limit === undefined ? given.items.length * each : rowIndices;
  const maxIndex = isFor ? forIndices : Math.max(100, rowIndices * 10);
  const cap = opts.maxRowsEvaluated ?? Infinity;
  let decided = 0;
  let i = 0;
  for (; (isFor || decided < rowIndices) && i < maxIndex && i < cap; i++) if (runRow(i, total) === 'row') decided++;
  // beyond the editor's budget: the indices not run cost what the indices run did, on average
  if (i >= cap && (isFor ? i < maxIndex : decided < rowIndices) && i > 0) {
    const scaled = emptyTally();
    addTally(scaled, total, isFor ? maxIndex / i : rowIndices / Math.max(1, decided));
    return result(perRowOf(scaled, rowIndices), scaled);
  }
  return result(perRowOf(total, rowIndices), total);
}

/** The average row index of `total` over `n` indices. */
function perRowOf(total: Tally, n: number): Tally {
  const out = emptyTally();
  if (n > 0) addTally(out, total, 1 / n);
  return out;
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
  const upperBound: string[] = [];
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
    if (e.upperBound) upperBound.push(ds.name);
    e.unpriced.forEach((m) => unpriced.add(m));
    if (!e.total) uncounted.push(ds.name);
    else {
      total.rows += e.rows ?? 0;
      addTally(total, e.total, 1);
    }
  }
  return { datasets, total, unpriced: [...unpriced].sort(), uncounted, upperBound };
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
