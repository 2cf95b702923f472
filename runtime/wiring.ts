// Connects the plan executor to the outside world: the LLM client for prompt stages (templates rendered with
// the call's arguments, JSON Schema, local validation), the images client, provider batches, and the budget
// guard. `run()` (run/run-plan.ts) builds one wiring per run from its options; tests may build their own.
import * as path from 'node:path';
import type { Plan, PromptStage, Setting } from '../compiler/plan/schema.js';
import { canonicalDates } from '../compiler/plan/dates.js';
import { SynthError, synthError } from '../base/diagnostics.js';
import type { PromptRunner } from './dataset/execute.js';
import { evaluate, type Env, type Value } from '../compiler/plan/eval.js';
import { createHash } from 'node:crypto';
import type { ImageSet } from './images/rows.js';
import { hostOf, simpleCause } from './cause.js';
import { LlmClient } from './llm/client.js';
import { EndpointHealth } from './llm/health.js';
import { ImageClient } from './llm/images.js';
import { BatchRunner } from './llm/batch.js';
import { Scheduler } from './llm/scheduler.js';
import type { ChatMessage, ModelProfile } from './llm/types.js';
import { costOf, imagesPerCall, type Usage } from '../compiler/plan/estimate.js';
import { modelPrice } from '../compiler/plan/price.js';
import type { ConnectionOptions, PromptWiring } from './run/options.js';

/** Requests in a row that may fail before a model's circuit breaker stops the dataset (`max_consecutive_failures`):
 *  at a 20 % fault rate, 20 failures in a row happen about once in 10^14 requests. */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 20;

export interface BudgetGuard {
  limitUsd: number | undefined;
  spentMicroUsd: number;
  add(microUsd: number): void;
  exceeded(): string | undefined;
}

/** A budget guard for `limitUsd` USD (undefined: no limit). `exceeded()` names the reason once the spend passes it. */
export function budgetGuard(limitUsd: number | undefined): BudgetGuard {
  return {
    limitUsd,
    spentMicroUsd: 0,
    add(m) {
      this.spentMicroUsd += m;
    },
    exceeded() {
      return this.limitUsd !== undefined && this.spentMicroUsd / 1e6 > this.limitUsd ? `budget of $${this.limitUsd} reached` : undefined;
    },
  };
}

/** A setting's run-time value: `env("NAME", default)` is read from the environment here, and only here. */
function resolve(v: Setting | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'env' in v) return env[v.env as string] ?? (v.default as string | undefined);
  return String(v);
}

/**
 * The client profile of model block `modelName` (with `prompt`'s overrides of temperature and max_tokens) and its
 * API key read from `env`. Throws SynthError SYN5006 for an unknown model, SYN5001 when the key's variable is unset.
 */
export function modelProfile(plan: Plan, modelName: string, prompt: PromptStage | undefined, env: NodeJS.ProcessEnv = process.env): { profile: ModelProfile; apiKey: string } {
  const m = plan.models[modelName];
  if (!m) throw new SynthError('SYN5006', `the plan has no model '${modelName}'`);
  const s = m.settings;
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  const keySetting = s['api_key'];
  const keyEnv = keySetting && typeof keySetting === 'object' && 'env' in keySetting ? String(keySetting.env) : undefined;
  const apiKey = resolve(keySetting, env) ?? '';
  const baseUrl = resolve(s['base_url'], env) ?? 'https://api.openai.com/v1';
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
    model: resolve(s['name'], env) ?? modelName,
    baseUrl,
    ...(keyEnv ? { apiKeyEnv: keyEnv } : {}),
    ...(typeof ps['temperature'] === 'number' ? { temperature: ps['temperature'] } : num('temperature') !== undefined ? { temperature: num('temperature')! } : {}),
    ...(typeof ps['max_tokens'] === 'number' ? { maxTokens: ps['max_tokens'] } : num('max_tokens') !== undefined ? { maxTokens: num('max_tokens')! } : {}),
    concurrency: num('concurrency') ?? 16,
    ...(num('rpm') ? { rpm: num('rpm')! } : {}),
    ...(num('tpm') ? { tpm: num('tpm')! } : {}),
    retries: num('retries') ?? 3,
    timeoutMs: num('timeout') ?? 60_000,
    ...(num('top_p') !== undefined || num('seed') !== undefined ? { extra: { ...(num('top_p') !== undefined ? { top_p: num('top_p') } : {}), ...(num('seed') !== undefined ? { seed: num('seed') } : {}) } } : {}),
  };
  return { profile, apiKey };
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

/** Rows a dataset runs at once when its chat calls go through a provider batch: all of them, up to a batch. */
const BATCH_WINDOW = 50_000;

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
    if (opts.interrupted?.()) return Object.assign(new Error('interrupted'), { failure: simpleCause('stopped', 'not made: interrupted (Ctrl-C)') });
    const over = budget.exceeded();
    return over ? Object.assign(synthError('SYN5027', { reason: over }), { failure: simpleCause('budget', `not made: ${over}`), stopsDataset: true }) : undefined;
  };
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
  const clientFor = (p: PromptStage): LlmClient => {
    const key = `${p.model}\u0000${p.settings['temperature'] ?? ''}\u0000${p.settings['max_tokens'] ?? ''}`;
    let c = clients.get(key);
    if (!c) {
      const { profile, apiKey } = modelProfile(plan, p.model, p, opts.env);
      c = new LlmClient(profile, {
        scheduler: schedulerFor(p.model, profile),
        health: healthFor(p.model, profile),
        stopSending: budgetSpent,
        // direct calls are charged per request; provider batches (at their discount) when a call ends
        ...(isBatch(p.model) ? {} : { onSpend: (u: { prompt: number; completion: number }) => void charge(p, { promptTokens: u.prompt, completionTokens: u.completion, images: 0 }, false) }),
        apiKey,
        cacheDir: path.join(root, '.synth', 'cache'),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...backoff,
      });
      clients.set(key, c);
    }
    return c;
  };
  const imageClients = new Map<string, ImageClient>();
  const imageClientFor = (p: PromptStage): ImageClient => {
    let c = imageClients.get(p.model);
    if (!c) {
      const { profile, apiKey } = modelProfile(plan, p.model, p, opts.env);
      c = new ImageClient(profile, {
        scheduler: schedulerFor(p.model, profile),
        health: healthFor(p.model, profile),
        apiKey,
        cacheDir: path.join(root, '.synth', 'cache'),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...backoff,
      });
      imageClients.set(p.model, c);
    }
    return c;
  };
  /** What `usage` costs at the prompt's model's price (`costOf`; unpriced: 0), in micro-USD. */
  const priceOf = (p: PromptStage, usage: Usage, batch: boolean): number => Math.round((costOf(modelPrice(plan, p.model), usage, { batch }) ?? 0) * 1e6);
  /** Charges `usage` to the budget (priceOf) and returns its micro-USD. */
  const charge = (p: PromptStage, usage: Usage, batch: boolean): number => {
    const cost = priceOf(p, usage, batch);
    budget.add(cost);
    return cost;
  };
  /** One `-> image` call: the rendered `user` template is the prompt; the value is an image set (images/rows.ts). */
  const drawImages = async (p: PromptStage, args: Value[], rowKey: string) => {
    const client = imageClientFor(p);
    const prompt = renderMessages(p, args).find((m) => m.role === 'user')?.content ?? '';
    const modelSeed = plan.models[p.model]?.settings['seed'];
    // A per-call seed from the model block's seed and the row: reproducible, and different for every row.
    const seed = typeof modelSeed === 'number' ? createHash('sha256').update(`${modelSeed}\u0000${rowKey}`).digest().readUInt32LE(0) >>> 1 : undefined;
    const n = imagesPerCall(p);
    const size = typeof p.settings['size'] === 'string' ? p.settings['size'] : undefined;
    const r = await client.generate({ prompt, n, ...(size ? { size } : {}), ...(seed !== undefined ? { seed } : {}), rowKey: `${p.hash}/${rowKey}` });
    const fresh = r.cached ? 0 : r.images.length;
    const cost = charge(p, { promptTokens: 0, completionTokens: 0, images: fresh }, false);
    const set: ImageSet = { $images: r.images, group: createHash('sha256').update(prompt).digest('hex').slice(0, 16), model: r.modelReported, seed: r.seed };
    return {
      value: set as unknown as Value,
      stats: { calls: 1, cached: r.cached ? 1 : 0, attempts: r.attempts, retried_calls: r.retried ? 1 : 0, images: fresh, cost_micro_usd: cost },
    };
  };
  // `mode batch` models: one batch runner per chat client (same cache, bodies and checks as direct calls).
  const batchRunners = new Map<LlmClient, BatchRunner>();
  const isBatch = (model: string) => plan.models[model]?.mode === 'batch';
  const batchFor = (p: PromptStage, client: LlmClient): BatchRunner | undefined => {
    if (!isBatch(p.model)) return undefined;
    let b = batchRunners.get(client);
    if (!b) {
      const { apiKey } = modelProfile(plan, p.model, p, opts.env);
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
  const runner: PromptRunner = {
    async call(promptName, args, rowKey) {
      const over = budgetSpent();
      if (over) throw over;
      const p = plan.prompts[promptName];
      if (!p) throw new SynthError('SYN5006', `the plan has no prompt '${promptName}'`);
      if (p.returns.kind === 'image') return drawImages(p, args, rowKey);
      const client = clientFor(p);
      const schema = p.returns.schema as object | null;
      const req = { messages: renderMessages(p, args), ...(schema ? { schema } : {}), schemaName: p.returns.type, rowKey: `${p.hash}/${rowKey}` };
      // Either way every answer is validated against the schema (constraints included) before it is returned.
      const batch = batchFor(p, client);
      let r;
      try {
        r = batch ? await batch.call(req) : await client.call(req);
      } catch (e) {
        // A failed call's tokens were spent all the same: they count in the manifest and against --budget
        // (direct requests were charged as they were answered, through onSpend; a batch is charged here).
        const failed = e as { usage?: { prompt: number; completion: number }; attempts?: number; stats?: Record<string, number> };
        if (failed && typeof failed === 'object' && failed.usage) {
          const usage = { promptTokens: failed.usage.prompt, completionTokens: failed.usage.completion, images: 0 };
          const cost = batch ? charge(p, usage, true) : priceOf(p, usage, false);
          failed.stats = { calls: 1, failed_calls: 1, attempts: failed.attempts ?? 0, prompt_tokens: failed.usage.prompt, completion_tokens: failed.usage.completion, cost_micro_usd: cost };
        }
        throw e;
      }
      const usage = { promptTokens: r.usage.prompt, completionTokens: r.usage.completion, images: 0 };
      const cost = batch ? charge(p, usage, true) : priceOf(p, usage, false);
      return {
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
      };
    },
  };
  return {
    factory: (dataset) => {
      const ds = plan.datasets[dataset];
      if (!ds?.prompts.length) return undefined;
      // A dataset whose chat calls go through a batch runs every row at once: the calls are gathered, not paced.
      const batched = ds.prompts.some((name) => plan.prompts[name]?.returns.kind !== 'image' && isBatch(plan.prompts[name]?.model ?? ''));
      return batched ? { ...runner, window: BATCH_WINDOW } : runner;
    },
    batchRunners: () => [...batchRunners.values()],
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
