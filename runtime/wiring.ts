// Connects the plan executor to the outside world: the LLM client for prompt stages (templates rendered with
// the call's arguments, JSON Schema, local validation), the document loader for sources, and the budget guard.
// Kept apart from run-plan.ts so tests can run plans with their own runners.
import * as path from 'node:path';
import type { Plan, PromptStage, Setting } from '../compiler/plan/schema.js';
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
import { batchDiscount, modelPrice } from '../compiler/plan/price.js';
import { loadFiles } from './sources/files.js';

/** Requests in a row that may fail before a model's circuit breaker stops the dataset (`max_consecutive_failures`):
 *  at a 20 % fault rate, 20 failures in a row happen about once in 10^14 requests. */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 20;

export interface BudgetGuard {
  limitUsd: number | undefined;
  spentMicroUsd: number;
  add(microUsd: number): void;
  exceeded(): string | undefined;
}

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
  const price = modelPrice(plan, modelName);
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
    ...(price ? { price: { input: price['input'] ?? 0, output: price['output'] ?? 0, ...(price['image'] !== undefined ? { image: price['image'] } : {}) } } : {}),
    ...(num('top_p') !== undefined || num('seed') !== undefined ? { extra: { ...(num('top_p') !== undefined ? { top_p: num('top_p') } : {}), ...(num('seed') !== undefined ? { seed: num('seed') } : {}) } } : {}),
  };
  return { profile, apiKey };
}

/** Renders a prompt's messages for one call: parameters bound to the call's arguments. */
export function renderMessages(p: PromptStage, args: Value[]): ChatMessage[] {
  const env: Env = new Map(p.params.map((param, i) => [param.name, args[i] ?? null]));
  return p.messages.map((m) => ({ role: m.role, content: String(evaluate(m.template, env)) }));
}

export interface Wiring {
  factory: (dataset: string) => PromptRunner | undefined;
  clients: () => LlmClient[];
  imageClients: () => ImageClient[];
  batchRunners: () => BatchRunner[];
  /** per model block: model names as the endpoint reported them */
  modelsReported: () => Record<string, string[]>;
  close: () => Promise<void>;
}

export interface WiringOptions {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  backoffBaseMs?: number;
  /** `mode batch` models: wait for submitted batches (default) or stop after submitting (`--no-wait`) */
  batch?: { wait: boolean; pollMs?: number; gatherMs?: number };
  /** Ctrl-C: requests not yet sent are not sent (their rows are not made; the next run makes them) */
  interrupted?: () => boolean;
}

/** Rows a dataset runs at once when its chat calls go through a provider batch: all of them, up to a batch. */
const BATCH_WINDOW = 50_000;

export function promptRunnerFactory(plan: Plan, root: string, budget: BudgetGuard, opts: WiringOptions = {}): Wiring {
  // One client per (model, prompt-level overrides): the scheduler then enforces the model's limits.
  const clients = new Map<string, LlmClient>();
  // One scheduler per model block, shared by all its clients: concurrency, rpm and tpm are the model's limits.
  const schedulers = new Map<string, Scheduler>();
  // Tests shorten backoff (capped at 20 × the base), for the scheduler and every client alike.
  const backoff = opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs, backoffMaxMs: opts.backoffBaseMs * 20 } : {};
  /** Once --budget is spent (failed calls included), nothing more is sent: the dataset stops with SYN5003, and
   *  the next run (with a larger budget) continues. After Ctrl-C nothing more is sent either. */
  const budgetSpent = (): Error | undefined => {
    if (opts.interrupted?.()) return Object.assign(new Error('interrupted'), { failure: simpleCause('stopped', 'not made: interrupted (Ctrl-C)') });
    const over = budget.exceeded();
    return over ? Object.assign(synthError('SYN5003', { detail: `${over}; nothing more was sent — run again with a larger --budget to continue` }), { failure: simpleCause('budget', `not made: ${over}`), stopsDataset: true }) : undefined;
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
        ...(isBatch(p.model) ? {} : { onSpend: (u: { prompt: number; completion: number }) => budget.add(c!.estimateCost(u) * 1e6) }),
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
  /** One `-> image` call: the rendered `user` template is the prompt; the value is an image set (images/rows.ts). */
  const drawImages = async (p: PromptStage, args: Value[], rowKey: string) => {
    const client = imageClientFor(p);
    const prompt = renderMessages(p, args).find((m) => m.role === 'user')?.content ?? '';
    const modelSeed = plan.models[p.model]?.settings['seed'];
    // A per-call seed from the model block's seed and the row: reproducible, and different for every row.
    const seed = typeof modelSeed === 'number' ? createHash('sha256').update(`${modelSeed}\u0000${rowKey}`).digest().readUInt32LE(0) >>> 1 : undefined;
    const n = typeof p.settings['images'] === 'number' ? p.settings['images'] : 1;
    const size = typeof p.settings['size'] === 'string' ? p.settings['size'] : undefined;
    const r = await client.generate({ prompt, n, ...(size ? { size } : {}), ...(seed !== undefined ? { seed } : {}), rowKey: `${p.hash}/${rowKey}` });
    const fresh = r.cached ? 0 : r.images.length;
    const cost = Math.round(client.estimateCost(fresh) * 1e6);
    budget.add(cost);
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
      const discount = batch ? batchDiscount(modelPrice(plan, p.model)) : 1;
      let r;
      try {
        r = batch ? await batch.call(req) : await client.call(req);
      } catch (e) {
        // A failed call's tokens were spent all the same: they count in the manifest and against --budget.
        const failed = e as { usage?: { prompt: number; completion: number }; attempts?: number; stats?: Record<string, number> };
        if (failed && typeof failed === 'object' && failed.usage) {
          const cost = Math.round(client.estimateCost(failed.usage) * discount * 1e6);
          if (batch) budget.add(cost);
          failed.stats = { calls: 1, failed_calls: 1, attempts: failed.attempts ?? 0, prompt_tokens: failed.usage.prompt, completion_tokens: failed.usage.completion, cost_micro_usd: cost };
        }
        throw e;
      }
      const cost = Math.round(client.estimateCost(r.usage) * discount * 1e6);
      if (batch) budget.add(cost);
      return {
        value: r.value as Value,
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

export function sourceLoader(plan: Plan, root: string, allowOutside: boolean): (source: string) => Promise<{ items: Value[]; keys: string[] }> {
  return async (name) => {
    const s = plan.sources[name];
    if (!s) throw new SynthError('SYN5006', `the plan has no source '${name}'`);
    const r = await loadFiles(root, s.glob, { allowOutside, chunk: { tokens: s.chunk, overlap: s.overlap } });
    if (r.items.length === 0) throw synthError('SYN5007', { detail: `source ${name}: no files match "${s.glob}" under ${root}` });
    return {
      items: r.items.map((it) => ({ text: it.text, path: it.path, index: it.chunk, tokens: it.tokens })),
      keys: r.items.map((it) => it.key),
    };
  };
}
