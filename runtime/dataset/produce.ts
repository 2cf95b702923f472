// Row production: one row index → one `RowResult`. Samples the row's `vary` variables, runs its steps (let / new
// values / loops / row / check / judge) through the step interpreter (compiler/plan/interpret.ts: only the calls of
// the branches taken are made, each on the model its `using` chose), checks that every value can be written, and
// computes its dedup keys and, for `format chat`, its line of the chat file.
// Rows are produced concurrently and out of order; nothing here writes a dataset file or decides duplicates
// (the ordered writer does both, in index order). A result says precisely why a row was not made:
//   row       the row (image fields still image sets: the writer places the files and makes one line per image
//             for rows it writes), its dedup keys, its chat line (`format chat`), the prompts it called;
//   filtered  a `check` or `judge` threshold dropped it (by design: a `count` dataset draws another index);
//   failed    it could not be made — with the cause (cause.ts); `stop` when the dataset must stop (SYN5020/5021);
//   deferred  a provider batch will answer it in a later run;
//   absent    no row has this index: `for c in X each randint(1, 5)` reserves 5 indices per item and draws how
//             many of them are rows;
//   group     a dataset with a nested `for` (`for q in ask(c.text).pairs`): the index's rows, one per element,
//             each a row or filtered (`parts`, each with its element path `at`). A part that cannot be made
//             fails the whole index (the next run makes it again; answered calls come from the cache).
import type { DatasetStage } from '../../compiler/plan/schema.js';
import { SynthError } from '../../base/diagnostics.js';
import { evaluate, EvalError, MODEL_NAMES, type Env, type Value } from '../../compiler/plan/eval.js';
import { drive, evalRoot, runSteps, type CallRequest } from '../../compiler/plan/interpret.js';
import { drawer, hashString, uniformAt } from '../../compiler/plan/random.js';
import { drawRow, rowIdentity, rowsOfItem } from '../../compiler/plan/rows.js';
import type { FakerSource } from '../../compiler/plan/fake.js';
import { sample, type RowPool, type SampleContext } from '../../compiler/plan/samplers.js';
import type { DatasetStep, Sampler } from '../../compiler/plan/schema.js';
import { showExpr, showValues } from '../../compiler/plan/show-expr.js';
import { failureOf, type FailureCause } from '../cause.js';
import { DeferredCall } from '../deferred.js';
import type { NearDuplicateIndex } from './near-dup.js';
import { unwritableValue } from './row-values.js';
import { exactValueText } from './value-text.js';
import type { RowActivity, RowTicket } from '../row-activity.js';
import { chatProblem, toolsMember } from './chat-format.js';

export type Row = Record<string, Value>;
export type Stats = Record<string, number>;

/** Calls a prompt for one row. `rowKey` identifies (dataset, row, attempt, call) for caching and resume; `model`
 *  is the model block the call chose (`using`), undefined for the prompt's own. A failed call throws; the error
 *  may carry `failure` (its cause), `stats` (tokens spent) and `stopsDataset`. */
export interface PromptRunner {
  /** `row`: the row's ticket, for a runner that holds calls back to send them together (a provider batch) */
  call(prompt: string, args: Value[], rowKey: string, model?: string, row?: RowTicket): Promise<{ value: Value; stats: Stats }>;
  /** rows to produce at once when the caller does not say (default 64): the wiring asks for twice the models'
   *  request concurrency; batch-mode runners want every row at once */
  window?: number;
}

/** One row of a group: made (`row`, with its chat line for `format chat`), or dropped by a `check` or `judge`
 *  (`filtered`); `at` is its element path. */
export type Part = { kind: 'row'; at: number[]; row: Row; keys: string[]; split?: string; chat?: Row } | { kind: 'filtered'; at: number[]; reason: string };

export type RowResult =
  /** `chat`: the row's line of the chat fine-tuning file (`format chat`) */
  | { kind: 'row'; row: Row; keys: string[]; split?: string; chat?: Row; stats: Stats; prompts: Record<string, string> }
  | { kind: 'filtered'; reason: string; stats: Stats; prompts: Record<string, string> }
  | { kind: 'failed'; cause: FailureCause; stats: Stats; stop?: SynthError }
  | { kind: 'deferred'; message: string; stats: Stats }
  | { kind: 'absent' }
  | { kind: 'group'; parts: Part[]; stats: Stats; prompts: Record<string, string> };

export interface ProducerOptions {
  dataset: DatasetStage;
  /** items of a `for` dataset, and their stable keys (draws, splits and cache keys derive from the key) */
  items?: Value[];
  itemKeys?: string[];
  prompts?: PromptRunner;
  /** a prompt's provenance hash (provenance.ts), recorded for each prompt a row calls; `key` is the prompt's
   *  name, or `prompt@model` for a call that chose its model */
  promptHash: (key: string) => string;
  /** the provenance key of a call (provenance.ts `promptKey`) */
  promptKey?: (prompt: string, model: string | undefined) => string;
  /** near-duplicate signatures, for `unique ... similarity` */
  near?: NearDuplicateIndex;
  /** rows in production (rows with prompt calls open a ticket each; see row-activity.ts) */
  activity?: RowActivity;
  /** each model block's model name (env() resolved), for `m.model` */
  modelNames?: Record<string, string>;
  /** faker's locales for `fake` samplers (fakers.ts loads them before the dataset runs) */
  fakers?: FakerSource;
  /** the rows `one_of(TABLE)` / `weighted(TABLE, column)` draw from, by `poolKey(from, weight)` */
  pools?: Map<string, RowPool>;
}

/** Row attempts for a dataset with prompts: an expression that fails on a model's answer is made again, with
 *  new calls, at most this many more times. A row without prompts fails the same way every time. */
const EXTRA_ROW_ATTEMPTS = 2;

const SPLIT_STREAM = hashString('\u0000split');

// shared by results of rows without prompt calls (never mutated)
const NO_STATS: Stats = Object.freeze({}) as Stats;
const ABSENT: RowResult = Object.freeze({ kind: 'absent' }) as RowResult;
const NO_PROMPTS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function splitOf(split: Record<string, number> | null, seed: number, dataset: string, i: number): string | undefined {
  if (!split) return undefined;
  const u = uniformAt(seed, SPLIT_STREAM ^ hashString(dataset), i, 0);
  let acc = 0;
  const names = Object.keys(split);
  for (const name of names) {
    acc += split[name]!;
    if (u < acc) return name;
  }
  return names[names.length - 1];
}

/** A `unique` value's key: values written alike are duplicates (-0 is 0), but NaN, ±Infinity and null are four
 *  values (value-text.ts), not one. */
function dedupKey(v: Value): string {
  const text = exactValueText(v, { negativeZero: false });
  return hashString(text).toString(36) + ':' + hashString(text, 7).toString(36);
}

/** The suffix a group part adds to its row's key and draw streams: `/1.0` for element 1, then element 0. */
export function partSuffix(at: number[]): string {
  return at.length ? '/' + at.join('.') : '';
}


export { rowIdentity, rowsOfItem };

/** The cause of a failed expression: the message, the expression (as Synth source) and the values it read. */
export function evaluationCause(e: EvalError, dataset: string): FailureCause {
  const expr = e.expr ? showExpr(e.expr) : undefined;
  const values = e.expr && e.env ? showValues(e.expr, e.env) : '';
  return {
    kind: 'evaluation',
    // one group per expression and kind of error, whatever the row's values
    key: `evaluation ${dataset} ${expr ?? ''} ${e.message.replace(/(\bin|\bgot)\s.*$/, '').replace(/-?\d+(\.\d+)?/g, '#')}`,
    message: `${e.message}${expr ? ` in \`${expr}\`` : ''}${values ? ` (${values})` : ''}`,
    // the same draws and answers (from the cache) give the same values the next run
    repeats: true,
  };
}

/** The cause of a failed prompt call, from the error the runner threw. */
function callCause(e: unknown, prompt: string): FailureCause {
  const code = e instanceof SynthError ? e.code : 'error';
  return failureOf(e) ?? { kind: 'connection', key: `call ${prompt} ${code}`, message: `prompt '${prompt}': ${String((e as Error).message).slice(0, 300)}` };
}

/** Makes the producer of one dataset's rows. A dataset without prompt calls makes each row synchronously (no
 *  promise per row: such datasets run to millions of rows); one with prompt calls returns a promise. */
export function rowProducer(o: ProducerOptions): (i: number) => RowResult | Promise<RowResult> {
  const ds = o.dataset;
  if (ds.nested) return groupProducer(o);
  const { hasPrompts, maxAttempts, rowEnv, absent, begin } = rowSetup(o);
  // steps the plain loop below runs (let / row / check); loops and new values go through the interpreter
  const plain = ds.steps.every((s) => 'let' in s || 'row' in s || 'check' in s);

  if (!hasPrompts) {
    // No prompt calls, so no `judge` and nothing to wait for: the steps are evaluations, made at once.
    return (i) => {
      const id = rowIdentity(ds, i, o.itemKeys);
      try {
        if (absent(i, id)) return ABSENT;
        const scope = rowEnv(i, id);
        if (plain) {
          for (const step of ds.steps) {
            if ('let' in step) scope.set(step.let, evaluate(step.expr, scope));
            else if ('row' in step) scope.set('row', evaluate(step.row, scope));
            else if ('check' in step && !evaluate(step.check, scope)) return { kind: 'filtered', reason: `filtered: check ${step.text}`, stats: NO_STATS, prompts: NO_PROMPTS };
          }
        } else {
          const filtered = runWithoutCalls(ds.steps, scope);
          if (filtered !== undefined) return { kind: 'filtered', reason: filtered, stats: NO_STATS, prompts: NO_PROMPTS };
        }
        return finish(scope, id, NO_STATS, NO_PROMPTS);
      } catch (e) {
        if (e instanceof EvalError) return { kind: 'failed', cause: evaluationCause(e, ds.name), stats: NO_STATS };
        throw e;
      }
    };
  }

  return ticketed(o, promptRow);

  async function promptRow(i: number, ticket: RowTicket | undefined): Promise<RowResult> {
    const stats: Stats = {};
    const addStats = (s: Stats | undefined) => addInto(stats, s);
    const called: Record<string, string> = {};
    const begun = begin(i, stats);
    if ('kind' in begun) return begun;
    const { id, env } = begun;

    let last: RowResult | undefined;
    const prompt = { name: '' };
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const scope: Env = new Map(env);
      // only the calls of the branches taken are made (interpret.ts); `site` names the call within the row
      const answer = answerer(o, `${ds.name}/${id.key}/${attempt}`, ticket, called, prompt, addStats);
      try {
        const filtered = await drive(runSteps(ds.steps, scope), answer);
        if (filtered !== undefined) return { kind: 'filtered', reason: filtered, stats, prompts: called };
        if (attempt > 0) stats['retried'] = (stats['retried'] ?? 0) + 1;
        return finish(scope, id, stats, called);
      } catch (e) {
        if (e instanceof EvalError) {
          last = { kind: 'failed', cause: evaluationCause(e, ds.name), stats };
          if (!hasPrompts) break; // a deterministic row fails the same way every time
          continue;
        }
        return callFailure(e, prompt.name, stats);
      }
    }
    return last ?? { kind: 'failed', cause: { kind: 'evaluation', key: `evaluation ${ds.name}`, message: 'the row could not be made' }, stats };
  }

  function finish(scope: Env, id: ReturnType<typeof rowIdentity>, stats: Stats, called: Record<string, string>): RowResult {
    return finishRow(o, scope, id.stream, id.drawRow, stats, called);
  }
}

/**
 * Answers a row's call requests through the prompt runner: the call's key is `keyPrefix/site` (dataset, row or
 * part, attempt, then the call's site), its model the one its `using` chose, with the row's ticket. Records the
 * prompt's provenance key in `called`, the prompt last called in `prompt` (to name a failure), stats by `addStats`.
 */
function answerer(o: ProducerOptions, keyPrefix: string, ticket: RowTicket | undefined, called: Record<string, string>, prompt: { name: string }, addStats: (s: Stats | undefined) => void) {
  return async (r: CallRequest): Promise<Value> => {
    const model = typeof r.model === 'string' ? r.model : undefined;
    const key = o.promptKey ? o.promptKey(r.prompt, model) : r.prompt;
    called[key] = o.promptHash(key);
    prompt.name = r.prompt;
    if (!o.prompts) throw new EvalError(`prompt ${r.prompt} cannot be called here`);
    const res = await o.prompts.call(r.prompt, r.args, `${keyPrefix}/${r.site}`, model, ticket);
    addStats(res.stats);
    return res.value;
  };
}

/** Runs steps that call no prompt synchronously (loops and new values included); returns why a check dropped
 *  the row, or undefined. */
function runWithoutCalls(steps: DatasetStep[], scope: Env): string | undefined {
  const r = runSteps(steps, scope).next();
  if (!r.done) throw new EvalError(`prompt ${r.value.prompt} cannot be called here`);
  return r.value;
}

/** What `drawRow` needs besides the row: fakers and the row pools. */
function drawContext(o: ProducerOptions): { fakers?: FakerSource; pools?: SampleContext['pools'] } {
  return { ...(o.fakers ? { fakers: o.fakers } : {}), ...(o.pools ? { pools: poolsOf(o.pools) } : {}) };
}

/** What a row's draws need besides uniforms: its values so far, fakers, its index (`seq()`), the row pools. */
function sampleContext(o: ProducerOptions, env: Env, i: number): SampleContext {
  return { env, index: i, ...(o.fakers ? { fakers: o.fakers } : {}), ...(o.pools ? { pools: poolsOf(o.pools) } : {}) };
}

/** The pool lookup `sample` takes: by source or dataset and weight column. */
function poolsOf(pools: Map<string, RowPool>): (from: string, weight?: string) => RowPool {
  return (from, weight) => pools.get(weight ? `${from}\u0000${weight}` : from)!;
}

/**
 * A finished row: the record, its kept and judge columns, its split and dedup keys, and its chat line (`format
 * chat`); failed when a value or the conversation cannot be written. `stream` and `drawRow` are the row's draw coordinates (the split is drawn).
 */
function finishRow(o: ProducerOptions, scope: Env, stream: string, drawRow: number, stats: Stats, called: Record<string, string>): RowResult {
  const ds = o.dataset;
  const row: Row = {};
  const value = scope.get('row');
  if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(row, value);
  else row['value'] = value ?? null;
  for (const k of ds.keep) row[k] = scope.get(k) ?? null;
  for (const step of ds.steps) if ('judge' in step) row[step.judge] = scope.get(step.judge) ?? null;
  const bad = unwritableValue(row, ds.rowType.schema, ds.name);
  if (bad) return { kind: 'failed', cause: bad, stats };
  const sp = splitOf(ds.split, ds.seed, ds.name + stream, drawRow);
  if (sp) row['split'] = sp;
  // Dedup keys are computed here (in parallel); the decision is made at write time, in index order.
  const keys: string[] = [];
  for (const u of ds.unique) {
    const v = evaluate(u.expr, scope);
    if (u.similarity === null) keys.push('x:' + dedupKey(v));
    else if (o.near) keys.push(o.near.signature(typeof v === 'string' ? v : JSON.stringify(v)));
  }
  if (ds.chat) {
    // The chat file's line (chat-format.ts), written beside the row: OpenAI's fine-tuning format as it is.
    const messages = 'messages' in ds.chat ? evaluate(ds.chat['messages']!, scope) : Object.entries(ds.chat).map(([role, ir]) => ({ role, content: String(evaluate(ir, scope)) }));
    const problem = chatProblem(messages);
    if (problem) return { kind: 'failed', cause: { kind: 'value', key: `value ${ds.name} chat ${problem.replace(/\d+/g, '#').replace(/\(.*$/, '')}`, message: `the conversation is not in the chat fine-tuning format: ${problem}` }, stats };
    const tools = toolsMember(ds.tools);
    const chat: Row = { messages, ...(tools ? { tools } : {}) };
    return { kind: 'row', row, keys, ...(sp ? { split: sp } : {}), chat, stats, prompts: called };
  }
  return { kind: 'row', row, keys, ...(sp ? { split: sp } : {}), stats, prompts: called };
}

/** A part as it is made: a row, filtered, or failed (which fails its whole group). */
type PartResult = Part | { kind: 'failed'; at: number[]; cause: FailureCause };

type ForStep = Extract<DatasetStep, { for: string }>;

/**
 * The producer of a dataset with nested `for`s: each row index runs the steps up to its first nested `for`, then
 * the rest once per element (recursively for deeper ones), and returns the index's rows as a group. Element `e`
 * (copy `k` of `each`) of a list is part `e × each + k` of its level; a part's draws and LLM cache keys add its
 * path to the row's (`partSuffix`), so a resumed or sharded run makes the same parts. An expression that fails on
 * a model's answer is made again with new calls: the whole index when it fails before the fan-out, else only the
 * part.
 */
function groupProducer(o: ProducerOptions): (i: number) => Promise<RowResult> {
  const ds = o.dataset;
  const { hasPrompts, maxAttempts, begin } = rowSetup(o);
  const steps = ds.steps;

  return ticketed(o, groupRow);

  async function groupRow(i: number, ticket: RowTicket | undefined): Promise<RowResult> {
    const stats: Stats = {};
    const addStats = (s: Stats | undefined) => addInto(stats, s);
    const called: Record<string, string> = {};
    // the index's draws (those below a nested `for` are drawn per part, in `part`)
    const begun = begin(i, stats);
    if ('kind' in begun) return begun;
    const { id, env } = begun;
    const prompt = { name: '' };
    /** Calls of one part: the key names the row, the part's path, its attempts and the call's site. */
    const caller = (at: number[], attempt: string) => answerer(o, `${ds.name}/${id.key}${partSuffix(at)}/${attempt}`, ticket, called, prompt, addStats);
    const drawAt = (name: string, at: number[]) => drawer(ds.seed, ds.name, name + id.stream + partSuffix(at), id.drawRow);

    /** Steps `from`… for the part at `at`: its rows (a fan-out makes many). The steps up to the next nested `for`
     *  run through the step interpreter (lazy branches, `using`, loops). Throws EvalError and call errors. */
    const run = async (from: number, scope: Env, at: number[], attempt: string): Promise<PartResult[]> => {
      const next = steps.findIndex((st, k) => k >= from && 'for' in st);
      const upTo = next < 0 ? steps.length : next;
      const filtered = await drive(runSteps(steps.slice(from, upTo), scope), caller(at, attempt));
      if (filtered !== undefined) return [{ kind: 'filtered', at, reason: filtered }];
      if (next >= 0) return fanOut(next, steps[next] as ForStep, scope, at, attempt);
      const r = finishRow(o, scope, id.stream + partSuffix(at), id.drawRow, {}, called);
      if (r.kind === 'failed') return [{ kind: 'failed', at, cause: r.cause }];
      if (r.kind !== 'row') return [];
      return [{ kind: 'row', at, row: r.row, keys: r.keys, ...(r.split !== undefined ? { split: r.split } : {}), ...(r.chat ? { chat: r.chat } : {}) }];
    };

    /** A nested `for`: the list, then each element (times `each`) as a part, concurrently. */
    const fanOut = async (s: number, step: ForStep, scope: Env, at: number[], attempt: string): Promise<PartResult[]> => {
      const list = await drive(evalRoot(step.list, scope, {}, `for:${step.for}`), caller(at, attempt));
      if (list === null) return []; // an absent optional list has no elements
      if (!Array.isArray(list)) throw Object.assign(new EvalError(`\`for ${step.for} in …\` needs a list, got ${JSON.stringify(list)?.slice(0, 60)}`), { expr: step.list, env: scope });
      const jobs: Array<Promise<PartResult[]>> = [];
      list.forEach((el, e) => {
        const base = e * step.each.count;
        const n = step.each.sampler ? Number(sample(step.each.sampler as Sampler, drawAt('\u0000each', [...at, base]))) : step.each.count;
        for (let k = 0; k < n; k++) jobs.push(part(step, s + 1, scope, el, [...at, base + k], attempt));
      });
      return (await Promise.all(jobs)).flat();
    };

    /** One element's part: `where`, the level's draws, then the steps after the `for`, attempted again on EvalError. */
    const part = async (step: ForStep, from: number, scope: Env, el: Value, at: number[], outer: string): Promise<PartResult[]> => {
      let last: PartResult[] = [];
      for (let a = 0; a < maxAttempts; a++) {
        const sc: Env = new Map(scope);
        sc.set(step.for, el);
        try {
          if (step.where && evaluate(step.where, sc) !== true) return [];
          for (const v of ds.vary) if (v.level === step.level && v.mode !== 'grid') sc.set(v.name, sample(v.sampler, drawAt(v.name, at), sampleContext(o, sc, i)));
          return await run(from, sc, at, `${outer}.${a}`);
        } catch (e) {
          if (!(e instanceof EvalError)) throw e;
          last = [{ kind: 'failed', at, cause: evaluationCause(e, ds.name) }];
          if (!hasPrompts) break;
        }
      }
      return last;
    };

    let last: RowResult | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        const parts = await run(0, new Map(env), [], String(attempt));
        const failed = parts.find((p) => p.kind === 'failed');
        if (failed && failed.kind === 'failed') return { kind: 'failed', cause: failed.cause, stats };
        if (attempt > 0) stats['retried'] = (stats['retried'] ?? 0) + 1;
        return { kind: 'group', parts: parts as Part[], stats, prompts: called };
      } catch (e) {
        if (e instanceof EvalError) {
          last = { kind: 'failed', cause: evaluationCause(e, ds.name), stats };
          if (!hasPrompts) break;
          continue;
        }
        return callFailure(e, prompt.name, stats);
      }
    }
    return last ?? { kind: 'failed', cause: { kind: 'evaluation', key: `evaluation ${ds.name}`, message: 'the row could not be made' }, stats };
  }
}

/** Adds `s` into `into`, key by key (a row's spend: tokens, calls, cost). */
function addInto(into: Stats, s: Stats | undefined): void {
  for (const [k, v] of Object.entries(s ?? {})) into[k] = (into[k] ?? 0) + v;
}

/** A producer whose rows each hold a ticket while they are made (row-activity.ts): a provider batch is sent when
 *  every row in production waits on it. */
function ticketed(o: ProducerOptions, make: (i: number, ticket: RowTicket | undefined) => Promise<RowResult>): (i: number) => Promise<RowResult> {
  return async (i) => {
    const { ticket, end } = o.activity?.begin() ?? { ticket: undefined, end: () => undefined };
    try {
      return await make(i, ticket);
    } finally {
      end();
    }
  };
}

/**
 * What a row becomes when making it threw `e` (not an EvalError): deferred (the answer comes in a later run), or
 * failed with the call's cause when a call failed after its retries (SYN5002), was not sent (Ctrl-C) or stops
 * the dataset (SYN5020/5021, SYN5027) — its spend added to `stats`. Any other error (a missing key, a plan
 * mismatch) stops the run: rethrown.
 */
function callFailure(e: unknown, prompt: string, stats: Stats): RowResult {
  if (e instanceof DeferredCall) return { kind: 'deferred', message: e.message, stats };
  if ((e instanceof SynthError && e.code === 'SYN5002') || failureOf(e) !== undefined) {
    addInto(stats, (e as { stats?: Stats }).stats);
    const stop = e instanceof SynthError && (e as { stopsDataset?: boolean }).stopsDataset ? e : undefined;
    // the runner already spent its retries on this call: the row fails with the call's cause
    return { kind: 'failed', cause: callCause(e, prompt), stats, ...(stop ? { stop } : {}) };
  }
  throw e;
}

/**
 * What both producers need of a dataset's row index: whether it calls prompts and how many attempts a row gets,
 * `absent` (a drawn `each` below its most for the row's item: no row has this index), and `rowEnv`: the models'
 * names (`using`), the row's `for` item, grid values and row-level draws (compiler/plan/rows.ts; a nested
 * `for`'s levels draw per part). A draw whose parameters, computed for this row, fall outside its distribution's
 * domain throws EvalError: the row fails, the same way every run.
 */
function rowSetup(o: ProducerOptions): {
  hasPrompts: boolean;
  maxAttempts: number;
  absent: (i: number, id: ReturnType<typeof rowIdentity>) => boolean;
  rowEnv: (i: number, id: ReturnType<typeof rowIdentity>) => Env;
  /** a row with prompt calls begins: its identity and environment, or what it already is (absent, or failed on a draw) */
  begin: (i: number, stats: Stats) => { id: ReturnType<typeof rowIdentity>; env: Env } | RowResult;
} {
  const ds = o.dataset;
  const each = 'for' in ds.rows ? ds.rows.for.each : 1;
  const hasPrompts = ds.prompts.length > 0;
  const rowEnv = (i: number, id: ReturnType<typeof rowIdentity>): Env => {
    const env: Env = new Map();
    if (o.modelNames) env.set(MODEL_NAMES, o.modelNames);
    drawRow(ds, i, env, id, 'for' in ds.rows ? (o.items?.[Math.floor(i / each)] ?? null) : undefined, drawContext(o));
    return env;
  };
  const absent = (i: number, id: ReturnType<typeof rowIdentity>): boolean =>
    each > 1 && 'for' in ds.rows && ds.rows.for.eachSampler !== undefined && i % each >= rowsOfItem(ds, o.itemKeys?.[id.item] ?? String(id.item));
  const begin = (i: number, stats: Stats): { id: ReturnType<typeof rowIdentity>; env: Env } | RowResult => {
    const id = rowIdentity(ds, i, o.itemKeys);
    if (absent(i, id)) return ABSENT;
    try {
      return { id, env: rowEnv(i, id) };
    } catch (e) {
      if (e instanceof EvalError) return { kind: 'failed', cause: evaluationCause(e, ds.name), stats };
      throw e;
    }
  };
  return { hasPrompts, maxAttempts: hasPrompts ? 1 + EXTRA_ROW_ATTEMPTS : 1, absent, rowEnv, begin };
}
