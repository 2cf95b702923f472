// Connects the plan executor to the outside world: the LLM client for prompt stages (templates rendered with
// the call's arguments, JSON Schema, local validation), the images client, provider batches, and the budget
// guard. `run()` (run/run-plan.ts) builds one wiring per run from its options; tests may build their own.
import * as path from 'node:path';
import type { Plan, PromptStage } from '../compiler/plan/schema.js';
import { canonicalDates } from '../compiler/plan/dates.js';
import { SynthError, synthError } from '../base/diagnostics.js';
import type { PromptRunner } from './dataset/execute.js';
import type { RowTicket } from './row-activity.js';
import { evaluate, type Env, type Value } from '../compiler/plan/eval.js';
import { createHash } from 'node:crypto';
import type { ImageSet } from './images/rows.js';
import { hostOf, simpleCause, type FailureCause } from './cause.js';
import type { CacheProblem } from './llm/cache.js';
import { LlmClient } from './llm/client.js';
import { displayPath, writeReason } from './dataset/file-io.js';
import { DEFAULT_BASE_URL, resolveSetting } from './llm/endpoint.js';
import { EndpointHealth } from './llm/health.js';
import { ImageClient } from './llm/images.js';
import { BatchRunner } from './llm/batch.js';
import { Scheduler } from './llm/scheduler.js';
import type { ChatMessage, ModelProfile } from './llm/types.js';
import { costOf, formatUsd, imagesPerCall, type Usage } from '../compiler/plan/estimate.js';
import { modelPrice } from '../compiler/plan/price.js';
import type { ConnectionOptions, FallbackGroup, PromptWiring } from './run/options.js';

/** Requests in a row that may fail before a model's circuit breaker stops the dataset (`max_consecutive_failures`):
 *  at a 20 % fault rate, 20 failures in a row happen about once in 10^14 requests. */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 20;

/** Requests in flight per model block when it does not set `concurrency`. */
export const DEFAULT_CONCURRENCY = 16;

/**
 * `--budget` as money is spent: every request first reserves its worst case (`reserve`: the counted prompt
 * tokens × input price + max_tokens × output price, client.ts `worstCaseUsage`) and settles to what it really
 * cost when its answer comes (`settle`). A request whose worst case would take spent + reserved past the limit
 * is not sent, so concurrent requests cannot overshoot together (the check was before each send only, and
 * `concurrency` requests went out before any spend was known). All amounts in micro-USD.
 */
export interface BudgetGuard {
  limitUsd: number | undefined;
  /** what settled requests cost */
  spentMicroUsd: number;
  /** worst cases of requests in flight */
  reservedMicroUsd: number;
  /** charges a cost known after the fact (provider batches, images) */
  add(microUsd: number): void;
  /** holds `microUsd` for a request about to be sent; false (and nothing held) when it could pass the limit */
  reserve(microUsd: number): boolean;
  /** gives back a reservation and charges what the request really cost */
  settle(reservedMicroUsd: number, actualMicroUsd: number): void;
  /** why nothing more may be sent (the limit passed, or a request refused for its worst case), with the spend */
  exceeded(): string | undefined;
}

/** A budget guard for `limitUsd` USD (undefined: no limit); see BudgetGuard. */
export function budgetGuard(limitUsd: number | undefined): BudgetGuard {
  /** the latest refused reservation and what was spent and held when it was refused (its figures add up) */
  let refused: { worst: number; spent: number; held: number } | undefined;
  const usd = (micro: number) => formatUsd(micro / 1e6);
  return {
    limitUsd,
    spentMicroUsd: 0,
    reservedMicroUsd: 0,
    add(m) {
      this.spentMicroUsd += m;
    },
    reserve(m) {
      if (this.limitUsd !== undefined && this.spentMicroUsd + this.reservedMicroUsd + m > this.limitUsd * 1e6) {
        refused = { worst: m, spent: this.spentMicroUsd, held: this.reservedMicroUsd };
        return false;
      }
      this.reservedMicroUsd += m;
      return true;
    },
    settle(reserved, actual) {
      this.reservedMicroUsd = Math.max(0, this.reservedMicroUsd - reserved);
      this.spentMicroUsd += actual;
    },
    exceeded() {
      if (this.limitUsd === undefined) return undefined;
      const limit = formatUsd(this.limitUsd);
      if (this.spentMicroUsd > this.limitUsd * 1e6) return `budget of ${limit} reached: ${usd(this.spentMicroUsd)} spent`;
      // as refused: what had settled, what requests in flight held, and the worst case that would have passed
      // the limit (the three add up past it)
      if (refused) {
        const held = refused.held > 0 ? `, ${usd(refused.held)} held by requests in flight` : '';
        return `budget of ${limit} reached: ${usd(refused.spent)} spent${held}, and the next request could cost up to ${usd(refused.worst)} more`;
      }
      return undefined;
    },
  };
}

/**
 * The client profile of model block `modelName` (with `prompt`'s overrides of temperature and max_tokens) and its
 * API key read from `env`. Throws SynthError SYN5006 for an unknown model, SYN5001 when the key's variable is unset.
 */
export function modelProfile(plan: Plan, modelName: string, prompt: PromptStage | undefined, env: NodeJS.ProcessEnv = process.env): { profile: ModelProfile; apiKey: string } {
  const m = plan.models[modelName];
  if (!m) throw synthError('SYN5006', { what: 'model', name: modelName });
  const s = m.settings;
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  const keySetting = s['api_key'];
  const keyEnv = keySetting && typeof keySetting === 'object' && 'env' in keySetting ? String(keySetting.env) : undefined;
  const apiKey = resolveSetting(keySetting, env) ?? '';
  const baseUrl = resolveSetting(s['base_url'], env) ?? DEFAULT_BASE_URL;
  if (keyEnv && !apiKey) {
    throw synthError('SYN5001', {
      model: modelName,
      env: keyEnv,
      extra: ` (for a local OpenAI-compatible server such as vLLM, Ollama or llama.cpp, set ${keyEnv}=none and point base_url at it${typeof s['base_url'] === 'object' && s['base_url'] && 'env' in s['base_url'] ? ` with ${String(s['base_url'].env)}` : ''}); or run with --dry-run to see the cost first`,
    });
  }
  const ps = prompt?.settings ?? {};
  const profile: ModelProfile = {
    id: modelName,
    model: resolveSetting(s['name'], env) ?? modelName,
    baseUrl,
    ...(keyEnv ? { apiKeyEnv: keyEnv } : {}),
    ...(typeof ps['temperature'] === 'number' ? { temperature: ps['temperature'] } : num('temperature') !== undefined ? { temperature: num('temperature')! } : {}),
    ...(typeof ps['max_tokens'] === 'number' ? { maxTokens: ps['max_tokens'] } : num('max_tokens') !== undefined ? { maxTokens: num('max_tokens')! } : {}),
    concurrency: num('concurrency') ?? DEFAULT_CONCURRENCY,
    ...(num('rpm') ? { rpm: num('rpm')! } : {}),
    ...(num('tpm') ? { tpm: num('tpm')! } : {}),
    retries: num('retries') ?? 3,
    timeoutMs: num('timeout') ?? 60_000,
    ...(num('top_p') !== undefined || num('seed') !== undefined ? { extra: { ...(num('top_p') !== undefined ? { top_p: num('top_p') } : {}), ...(num('seed') !== undefined ? { seed: num('seed') } : {}) } } : {}),
  };
  return { profile, apiKey };
}

/**
 * Says once per reason (per run) that answers are not being cached — they hold the API key (from `keyEnv`), or
 * the cache folder `cacheDir` refuses writes — so a user is not surprised when the next run pays for them again.
 */
function cacheProblemNotice(cacheDir: string, notice: ((line: string) => void) | undefined): (p: CacheProblem, keyEnv: string | undefined) => void {
  const told = new Set<string>();
  return (p, keyEnv) => {
    if (told.has(p.kind) || !notice) return;
    told.add(p.kind);
    if (p.kind === 'secret') notice(`note: an answer contains the API key${keyEnv ? ` (from $${keyEnv})` : ''}, so it is not cached (keys are never written to disk); the row is kept, and its call is made again on the next run`);
    else notice(`note: cannot write the LLM cache in ${displayPath(cacheDir)}: ${writeReason(p.error)}; answers are not cached this run, so a rerun pays for them again (rows are kept)`);
  };
}

/** Renders a prompt's messages for one call: parameters bound to the call's arguments (in declaration order). */
export function renderMessages(p: PromptStage, args: Value[]): ChatMessage[] {
  const env: Env = new Map(p.params.map((param, i) => [param.name, args[i] ?? null]));
  return p.messages.map((m) => ({ role: m.role, content: String(evaluate(m.template, env)) }));
}

/** The prompt runners of a run, and what they did: clients per model, batch runners, reported model names. */
export interface Wiring extends PromptWiring {
  clients: () => LlmClient[];
  imageClients: () => ImageClient[];
  batchRunners: () => BatchRunner[];
}

/** May a failed call of a model go to its fallback? Yes when the model failed it (an unusable endpoint, the
 *  circuit breaker, retries spent on faults or bad answers); no when the run itself stops sending (budget,
 *  Ctrl-C) or the failure is not the model's (a missing key is SYN5001 and stops the run). */
export function fallsBack(e: unknown): boolean {
  if (!(e instanceof SynthError)) return false;
  if (e.code !== 'SYN5002' && e.code !== 'SYN5020' && e.code !== 'SYN5021') return false;
  const kind = (e as { failure?: FailureCause }).failure?.kind;
  return kind !== 'budget' && kind !== 'stopped';
}

/** The model names a run's requests ask for, per model block (env() resolved), for `m.model` in rows. */
export function modelNames(plan: Plan, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [block, m] of Object.entries(plan.models)) out[block] = resolveSetting(m.settings['name'], env) ?? block;
  return out;
}

type Stats = Record<string, number>;

/** `a` + `b`, key by key. */
function addStats(a: Stats, b: Stats): Stats {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** A call's stats with its counts also under the model block that answered it (`calls@writer`, …): the manifest
 *  counts calls per model. */
function perModel<R extends { stats: Stats }>(model: string, r: R): R {
  const s = r.stats;
  for (const k of ['calls', 'cached', 'failed_calls', 'not_sent_calls']) if (s[k]) s[`${k}@${model}`] = s[k]!;
  return r;
}

/** Rows a dataset runs at once when its chat calls go through a provider batch: all of them, up to a batch. */
const BATCH_WINDOW = 50_000;

/**
 * Rows a dataset with direct prompt calls runs at once (unless `--concurrency` says): twice the requests the
 * model blocks it can reach (`models`: its calls' models and their fallbacks) may have in flight together (their
 * `concurrency`, default 16), so that a request slot freed by an answer goes at once to a row already queued for
 * it, never waiting for a new row to be started, rendered and looked up in the cache.
 */
export function rowsInFlight(plan: Plan, models: readonly string[]): number {
  let requests = 0;
  for (const m of new Set(models)) {
    const c = plan.models[m]?.settings['concurrency'];
    requests += typeof c === 'number' && c >= 1 ? Math.floor(c) : DEFAULT_CONCURRENCY;
  }
  return Math.max(16, 2 * requests);
}

/** The model blocks `prompts` name as their own `model` (a plan written before datasets listed their models). */
function modelsOf(plan: Plan, prompts: readonly string[]): string[] {
  return prompts.map((p) => plan.prompts[p]?.model).filter((m): m is string => m !== undefined);
}

/**
 * Wires `plan`'s prompts to their endpoints: one chat client per (model, prompt overrides), one scheduler per
 * model block (its concurrency, rpm, tpm), an images client per image model, a batch runner per `mode batch`
 * client, all caching under `root`/.synth/cache. Every call's cost (`costOf`, micro-USD) is added to `budget`.
 * Clients are made on first use, so a model that is never called needs no API key.
 */
export function promptRunnerFactory(plan: Plan, root: string, budget: BudgetGuard, opts: ConnectionOptions = {}): Wiring {
  // One client per (model, prompt-level overrides): the scheduler then enforces the model's limits.
  const clients = new Map<string, LlmClient>();
  // One scheduler per model block, shared by all its clients: concurrency, rpm and tpm are the model's limits.
  const schedulers = new Map<string, Scheduler>();
  // Tests shorten backoff (capped at 20 × the base), for the scheduler and every client alike.
  const backoff = opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs, backoffMaxMs: opts.backoffBaseMs * 20 } : {};
  /** Once --budget is spent (failed calls included), nothing more is sent: the dataset stops with SYN5027, and
   *  the next run (with a larger budget) continues. After Ctrl-C nothing more is sent either. */
  const budgetSpent = (): Error | undefined => {
    // the words a dataset uses for rows it did not make after the stop (outcome.ts): one group in the summary
    if (opts.interrupted?.()) return Object.assign(new Error('interrupted'), { failure: simpleCause('stopped', 'not made: the run stopped (interrupted)') });
    const over = budget.exceeded();
    return over ? Object.assign(synthError('SYN5027', { reason: over }), { failure: simpleCause('budget', `not made: ${over}`), stopsDataset: true }) : undefined;
  };
  const onCacheProblem = cacheProblemNotice(path.join(root, '.synth', 'cache'), opts.onNotice);
  // One health record per model block, shared by its chat and image clients (llm/health.ts).
  const healths = new Map<string, EndpointHealth>();
  const healthFor = (model: string, profile: ModelProfile): EndpointHealth => {
    let h = healths.get(model);
    if (!h) {
      const limit = plan.models[model]?.settings['max_consecutive_failures'];
      h = new EndpointHealth({ model, host: hostOf(profile.baseUrl), maxConsecutiveFailures: typeof limit === 'number' ? limit : DEFAULT_MAX_CONSECUTIVE_FAILURES });
      healths.set(model, h);
    }
    return h;
  };
  const schedulerFor = (model: string, profile: ModelProfile): Scheduler => {
    let scheduler = schedulers.get(model);
    if (!scheduler) {
      scheduler = new Scheduler({
        concurrency: profile.concurrency,
        ...(profile.rpm ? { rpm: profile.rpm } : {}),
        ...(profile.tpm ? { tpm: profile.tpm } : {}),
        ...backoff,
      });
      schedulers.set(model, scheduler);
    }
    return scheduler;
  };
  const clientFor = (p: PromptStage, model: string): LlmClient => {
    const key = `${model}\u0000${p.settings['temperature'] ?? ''}\u0000${p.settings['max_tokens'] ?? ''}`;
    let c = clients.get(key);
    if (!c) {
      const { profile, apiKey } = modelProfile(plan, model, p, opts.env);
      c = new LlmClient(profile, {
        scheduler: schedulerFor(model, profile),
        health: healthFor(model, profile),
        stopSending: budgetSpent,
        // direct requests reserve their worst case and settle to their cost (BudgetGuard); provider batches
        // (at their discount) are charged when a call ends
        ...(isBatch(model) ? {} : { reserveSpend: (worst: () => { prompt: number; completion: number }) => reserveRequest(model, worst) }),
        apiKey,
        cacheDir: path.join(root, '.synth', 'cache'),
        onCacheProblem: (pr) => onCacheProblem(pr, profile.apiKeyEnv),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...backoff,
      });
      clients.set(key, c);
    }
    return c;
  };
  const imageClients = new Map<string, ImageClient>();
  const imageClientFor = (p: PromptStage, model: string): ImageClient => {
    let c = imageClients.get(model);
    if (!c) {
      const { profile, apiKey } = modelProfile(plan, model, p, opts.env);
      c = new ImageClient(profile, {
        scheduler: schedulerFor(model, profile),
        health: healthFor(model, profile),
        apiKey,
        cacheDir: path.join(root, '.synth', 'cache'),
        onCacheProblem: (pr) => onCacheProblem(pr, profile.apiKeyEnv),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...backoff,
      });
      imageClients.set(model, c);
    }
    return c;
  };
  /** What `usage` costs at the model's price (`costOf`; unpriced: 0), in micro-USD. */
  const priceOf = (model: string, usage: Usage, batch: boolean): number => Math.round((costOf(modelPrice(plan, model), usage, { batch }) ?? 0) * 1e6);
  /**
   * Reserves a direct request's worst case (at its model's price); SYN5027 when it could pass the budget. Without
   * a budget, or for a model without a price, nothing needs holding and the worst case (a token count) is not
   * computed; the request's cost is still charged when it settles.
   */
  const reserveRequest = (model: string, worst: () => { prompt: number; completion: number }): Error | ((actual: { prompt: number; completion: number }) => void) => {
    let held = 0;
    if (budget.limitUsd !== undefined && modelPrice(plan, model)) {
      const w = worst();
      held = priceOf(model, { promptTokens: w.prompt, completionTokens: w.completion, images: 0 }, false);
    }
    if (!budget.reserve(held)) return budgetSpent() ?? new Error('budget');
    return (u) => budget.settle(held, priceOf(model, { promptTokens: u.prompt, completionTokens: u.completion, images: 0 }, false));
  };
  /** Charges `usage` to the budget (priceOf) and returns its micro-USD. */
  const charge = (model: string, usage: Usage, batch: boolean): number => {
    const cost = priceOf(model, usage, batch);
    budget.add(cost);
    return cost;
  };
  /** One `-> image` call: the rendered `user` template is the prompt; the value is an image set (images/rows.ts). */
  const drawImages = async (p: PromptStage, model: string, args: Value[], rowKey: string) => {
    const client = imageClientFor(p, model);
    const prompt = renderMessages(p, args).find((m) => m.role === 'user')?.content ?? '';
    const modelSeed = plan.models[model]?.settings['seed'];
    // A per-call seed from the model block's seed and the row: reproducible, and different for every row.
    const seed = typeof modelSeed === 'number' ? createHash('sha256').update(`${modelSeed}\u0000${rowKey}`).digest().readUInt32LE(0) >>> 1 : undefined;
    const n = imagesPerCall(p);
    const size = typeof p.settings['size'] === 'string' ? p.settings['size'] : undefined;
    // the worst case (n new images) is held while the call runs, as for chat requests (BudgetGuard)
    const held = priceOf(model, { promptTokens: 0, completionTokens: 0, images: n }, false);
    if (!budget.reserve(held)) throw budgetSpent() ?? new Error('budget');
    let cost = 0;
    let r;
    try {
      r = await client.generate({ prompt, n, ...(size ? { size } : {}), ...(seed !== undefined ? { seed } : {}), rowKey: `${p.hash}/${rowKey}` });
      cost = priceOf(model, { promptTokens: 0, completionTokens: 0, images: r.cached ? 0 : r.images.length }, false);
    } finally {
      budget.settle(held, cost);
    }
    const fresh = r.cached ? 0 : r.images.length;
    const set: ImageSet = { $images: r.images, group: createHash('sha256').update(prompt).digest('hex').slice(0, 16), model: r.modelReported, seed: r.seed };
    return {
      value: set as unknown as Value,
      stats: { calls: 1, cached: r.cached ? 1 : 0, attempts: r.attempts, retried_calls: r.retried ? 1 : 0, images: fresh, cost_micro_usd: cost },
    };
  };
  // `mode batch` models: one batch runner per chat client (same cache, bodies and checks as direct calls).
  const batchRunners = new Map<LlmClient, BatchRunner>();
  const isBatch = (model: string) => plan.models[model]?.mode === 'batch';
  const batchFor = (p: PromptStage, model: string, client: LlmClient): BatchRunner | undefined => {
    if (!isBatch(model)) return undefined;
    let b = batchRunners.get(client);
    if (!b) {
      const { apiKey } = modelProfile(plan, model, p, opts.env);
      b = new BatchRunner(client, {
        apiKey,
        stateDir: path.join(root, '.synth'),
        wait: opts.batch?.wait ?? true,
        ...(opts.batch?.pollMs !== undefined ? { pollMs: opts.batch.pollMs } : {}),
        ...(opts.batch?.gatherMs !== undefined ? { gatherMs: opts.batch.gatherMs } : {}),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      });
      batchRunners.set(client, b);
    }
    return b;
  };
  /** One call of prompt `p` on model block `model`, without fallback. Per-model counts go into its stats. */
  const callOn = async (p: PromptStage, model: string, args: Value[], rowKey: string, row: RowTicket | undefined): Promise<{ value: Value; stats: Stats }> => {
    if (!plan.models[model]) throw synthError('SYN5006', { what: 'model', name: model });
    if (p.returns.kind === 'image') return perModel(model, await drawImages(p, model, args, rowKey));
    const client = clientFor(p, model);
    const schema = p.returns.schema as object | null;
    const req = { messages: renderMessages(p, args), ...(schema ? { schema } : {}), schemaName: p.returns.type, rowKey: `${p.hash}/${rowKey}` };
    // Either way every answer is validated against the schema (constraints included) before it is returned.
    const batch = batchFor(p, model, client);
    let r;
    try {
      r = batch ? await batch.call(req, undefined, row) : await client.call(req);
    } catch (e) {
      // A failed call's tokens were spent all the same: they count in the manifest and against --budget
      // (direct requests were charged as they were answered, through their reservation; a batch is charged here).
      const failed = e as { usage?: { prompt: number; completion: number }; attempts?: number; stats?: Record<string, number> };
      if (failed && typeof failed === 'object') {
        const u = failed.usage ?? { prompt: 0, completion: 0 };
        const usage = { promptTokens: u.prompt, completionTokens: u.completion, images: 0 };
        const cost = failed.usage ? (batch ? charge(model, usage, true) : priceOf(model, usage, false)) : 0;
        // a call stopped before its first request (the endpoint found unusable, the breaker, the budget, Ctrl-C)
        // was never sent: counted apart from calls that failed (per model either way, for the fallback summary)
        failed.stats = perModel(model, {
          stats: failed.attempts === 0 ? { not_sent_calls: 1 } : { calls: 1, failed_calls: 1, attempts: failed.attempts ?? 0, prompt_tokens: u.prompt, completion_tokens: u.completion, cost_micro_usd: cost },
        }).stats;
      }
      throw e;
    }
    const usage = { promptTokens: r.usage.prompt, completionTokens: r.usage.completion, images: 0 };
    const cost = batch ? charge(model, usage, true) : priceOf(model, usage, false);
    return perModel(model, {
      // dates and datetimes in one canonical form, whatever zone the model wrote (compiler/plan/dates.ts)
      value: (schema ? canonicalDates(schema, r.value) : r.value) as Value,
      stats: {
        calls: 1,
        cached: r.cached ? 1 : 0,
        attempts: r.attempts,
        retried_calls: r.retried ? 1 : 0,
        prompt_tokens: r.usage.prompt,
        completion_tokens: r.usage.completion,
        cost_micro_usd: cost,
      },
    });
  };
  const fallbacks = new Map<string, FallbackGroup>();
  const runner: PromptRunner = {
    async call(promptName, args, rowKey, chosen, row) {
      const over = budgetSpent();
      if (over) throw Object.assign(over, { stats: { not_sent_calls: 1 } });
      const p = plan.prompts[promptName];
      if (!p) throw synthError('SYN5006', { what: 'prompt', name: promptName });
      let model = chosen ?? p.model;
      if (!model) throw synthError('SYN5006', { what: 'model for prompt', name: promptName });
      // On a failure that is the model's, the call goes to the model's `fallback` (and on along its chain); the
      // spent calls' tokens and cost still count, and the cause is kept for the summary and the manifest.
      let spent: Stats = {};
      const seen = new Set<string>();
      for (;;) {
        seen.add(model);
        try {
          const r = await callOn(p, model, args, rowKey, row);
          return { value: r.value, stats: addStats(spent, r.stats) };
        } catch (e) {
          const next = plan.models[model]?.settings['fallback'];
          const stats = (e as { stats?: Stats }).stats;
          if (typeof next !== 'string' || seen.has(next) || !fallsBack(e)) {
            if (Object.keys(spent).length) (e as { stats?: Stats }).stats = addStats(spent, stats ?? {});
            throw e;
          }
          spent = addStats(spent, { ...(stats ?? {}), [`fallbacks@${model}`]: 1 });
          const cause = (e as { failure?: FailureCause }).failure ?? { kind: 'connection', key: String((e as Error).message), message: String((e as Error).message).slice(0, 300) };
          const dataset = rowKey.slice(0, rowKey.indexOf('/'));
          const key = `${dataset}\u0000${model}\u0000${next}\u0000${cause.key}`;
          const g = fallbacks.get(key);
          if (g) g.count++;
          else fallbacks.set(key, { dataset, from: model, to: next, count: 1, cause: cause.message, causeKind: cause.kind });
          model = next;
        }
      }
    },
  };
  return {
    factory: (dataset) => {
      const ds = plan.datasets[dataset];
      if (!ds?.prompts.length) return undefined;
      // A dataset whose chat calls go through a batch runs every row at once: the calls are gathered, not paced.
      const batched = (ds.models ?? []).some((m) => isBatch(m)) && ds.prompts.some((name) => plan.prompts[name]?.returns.kind !== 'image');
      return { ...runner, window: batched ? BATCH_WINDOW : rowsInFlight(plan, ds.models ?? modelsOf(plan, ds.prompts)) };
    },
    batchRunners: () => [...batchRunners.values()],
    fallbacks: () => [...fallbacks.values()],
    clients: () => [...clients.values()],
    imageClients: () => [...imageClients.values()],
    modelsReported: () => {
      const out: Record<string, string[]> = {};
      for (const c of [...clients.values(), ...imageClients.values()]) out[c.profile.id] = [...new Set([...(out[c.profile.id] ?? []), ...c.stats.models])];
      return out;
    },
    close: async () => {
      await Promise.all([...clients.values(), ...imageClients.values(), ...batchRunners.values()].map((c) => c.close()));
    },
  };
}
