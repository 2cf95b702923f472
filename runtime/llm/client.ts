// The LLM client: one instance per `model` block. Calls any OpenAI-compatible chat-completions endpoint through
// the official `openai` package (its own retries off: this client owns them), with structured output from the
// return type's JSON Schema, local validation of every answer, and an on-disk cache of finished calls.
//
// One `call` = one logical call of a prompt for one row:
//   cache hit → done (nothing sent);
//   otherwise up to 1 + `retries` HTTP attempts, each admitted by the scheduler (concurrency, rpm, tpm);
//   transport faults (429, 5xx, timeouts, dropped connections) are retried with backoff, honouring Retry-After;
//   content faults (not JSON, cut off, fails validation) are retried with the problem fed back to the model as
//   a follow-up user message; the first valid answer is cached and returned;
//   when the budget is spent the call throws SYN5002 — an invalid answer is never returned.
// The API key is held only by the openai client; it is never written to the cache, events or error messages
// (messages are scrubbed of it in case an endpoint echoes it).
import OpenAI from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { SynthError } from '../../base/diagnostics.js';
import { hostOf, type FailureCause } from '../cause.js';
import { cacheKey, ResponseCache, type CacheProblem } from './cache.js';
import { endpointIdentity } from './endpoint.js';
import { AttemptError, callFailed, scrubber, transportError, type TransportContext } from './faults.js';
import type { EndpointHealth } from './health.js';
import { keepAliveFetch, type KeepAliveFetch } from './http.js';
import { retryAfterMs, Scheduler } from './scheduler.js';
import { estimatePromptTokens } from './tokens.js';
import type { ChatMessage, ChatRequest, ChatResult, FailureKind, LlmEvent, ModelProfile, Usage } from './types.js';
import { fillOmittedOptionals, inexactIntegers, numberLiterals, schemaErrors } from './validate.js';

export type StructuredMode = 'strict' | 'json_schema' | 'json_object';

export interface LlmClientOptions {
  /** the key itself (read from env by the caller); may be empty for local endpoints that need none */
  apiKey: string;
  /** the project's `.synth/cache` folder; null or absent: no cache */
  cacheDir?: string | null;
  /** custom fetch (default: keep-alive undici pool, see http.ts) */
  fetch?: typeof globalThis.fetch;
  onEvent?: (e: LlmEvent) => void;
  /** share one scheduler between clients of the same endpoint (default: one per client, from the profile) */
  scheduler?: Scheduler;
  /** backoff tuning (tests use small values) */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** start with this structured-output mode (default 'strict'; the client steps down if the endpoint refuses) */
  structured?: StructuredMode;
  /** abort every call (Ctrl-C) */
  signal?: AbortSignal;
  /** the model block's endpoint health (probe first, fail fast, circuit breaker; see health.ts), shared by
   *  every client of the block; absent: none of these */
  health?: EndpointHealth;
  /** asked right before each request is sent: an error stops the call there (a spent --budget); it should
   *  carry `failure` and `stopsDataset` */
  stopSending?: () => Error | undefined;
  /** told the tokens of each request as the endpoint reports them (failed requests included), so that a
   *  budget is charged as money is spent, not when a call ends */
  onSpend?: (usage: Usage) => void;
  /** asked right before each request is sent, with a function computing its worst case (`worstCaseUsage`: the
   *  counted prompt tokens and max_tokens; counting tokens costs more than the rest of a request's client work,
   *  so it is only computed when asked — with a budget and a priced model): an Error stops the call there (the
   *  request could pass --budget); otherwise a function the client calls once with the tokens the request really
   *  used (failed requests included, 0 when it got no answer), as soon as they are known. So concurrent requests
   *  cannot together spend more than the budget: each holds its worst case until it settles. */
  reserveSpend?: (worst: () => Usage) => Error | ((actual: Usage) => void);
  /** told of each answer the cache could not keep (it holds the API key; the folder refused the write) */
  onCacheProblem?: (p: CacheProblem) => void;
}

export interface LlmClientStats {
  calls: number;
  cached: number;
  failed: number;
  /** calls that needed more than one request */
  retried: number;
  /** HTTP requests made */
  requests: number;
  usage: Usage;
  failures: Partial<Record<FailureKind, number>>;
  /** model names as the endpoint reported them */
  models: string[];
}

const FEEDBACK_ECHO_CHARS = 4000;

/** OpenAI's structured output needs an object at the root: other types travel wrapped in `{ value: ... }`. */
function wireSchema(schema: object): { schema: object; wrapped: boolean } {
  const s = schema as Record<string, unknown>;
  if (s['type'] === 'object') return { schema, wrapped: false };
  return { schema: { type: 'object', properties: { value: schema }, required: ['value'], additionalProperties: false }, wrapped: true };
}

/** Strict mode needs every object closed (additionalProperties: false) with every property required. */
export function strictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(strictCompatible);
  if (!schema || typeof schema !== 'object') return true;
  const s = schema as Record<string, unknown>;
  if (s['type'] === 'object' || s['properties']) {
    const props = Object.keys((s['properties'] as object | undefined) ?? {});
    const req = new Set((s['required'] as string[] | undefined) ?? []);
    if (s['additionalProperties'] !== false || props.some((p) => !req.has(p))) return false;
  }
  return Object.entries(s).every(([k, v]) => (k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? true : strictCompatible(v)));
}

function schemaName(name: string): string {
  const n = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return n || 'result';
}

export class LlmClient {
  readonly scheduler: Scheduler;
  private readonly openai: OpenAI;
  private readonly cache: ResponseCache | undefined;
  private readonly pool: KeepAliveFetch | undefined;
  private mode: StructuredMode;
  private readonly params: Record<string, unknown>;
  /** removes the API key from any text that might be shown or stored (also used by the batch runner) */
  readonly scrub: (text: string) => string;
  /** how a failed request is classified (faults.ts), with this client's scheduler, timeout and scrubbing */
  private readonly faults: TransportContext;
  private readonly models = new Set<string>();
  /** per return schema: what goes on the wire (wrapped if not an object) and whether strict mode can take it */
  private readonly wire = new WeakMap<object, { schema: object; wrapped: boolean; strict: boolean }>();
  readonly stats: LlmClientStats = { calls: 0, cached: 0, failed: 0, retried: 0, requests: 0, usage: { prompt: 0, completion: 0 }, failures: {}, models: [] };

  constructor(
    readonly profile: ModelProfile,
    private readonly o: LlmClientOptions,
  ) {
    this.scrub = scrubber(o.apiKey);
    this.pool = o.fetch ? undefined : keepAliveFetch();
    this.openai = new OpenAI({
      apiKey: o.apiKey || 'none',
      baseURL: profile.baseUrl,
      maxRetries: 0,
      timeout: profile.timeoutMs,
      fetch: o.fetch ?? this.pool!.fetch,
      logLevel: 'off',
    });
    this.cache = o.cacheDir ? new ResponseCache(o.cacheDir, o.apiKey ? [o.apiKey] : [], o.onCacheProblem) : undefined;
    this.scheduler =
      o.scheduler ??
      new Scheduler({
        concurrency: profile.concurrency,
        ...(profile.rpm ? { rpm: profile.rpm } : {}),
        ...(profile.tpm ? { tpm: profile.tpm } : {}),
        ...(o.backoffBaseMs !== undefined ? { backoffBaseMs: o.backoffBaseMs } : {}),
        ...(o.backoffMaxMs !== undefined ? { backoffMaxMs: o.backoffMaxMs } : {}),
        ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      });
    this.faults = { host: hostOf(profile.baseUrl), scheduler: this.scheduler, timeoutMs: profile.timeoutMs, apiKeyEnv: profile.apiKeyEnv, signal: o.signal, scrub: this.scrub };
    this.mode = o.structured ?? 'strict';
    this.params = {
      ...(profile.temperature !== undefined ? { temperature: profile.temperature } : {}),
      ...(profile.maxTokens !== undefined ? { max_tokens: profile.maxTokens } : {}),
      ...(profile.extra ?? {}),
    };
  }

  /** The structured-output mode in use (it steps down when the endpoint refuses strict or json_schema). */
  get structuredMode(): StructuredMode {
    return this.mode;
  }

  /** Closes the keep-alive pool this client created and lets go of the cache. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache?.close();
    await this.pool?.close();
  }
  private closed = false;

  private emit(e: LlmEvent): void {
    this.o.onEvent?.(e);
  }

  /**
   * One logical call. `validate` adds the caller's checks (type constraints) to the schema's; it returns error
   * messages, empty when the value is acceptable. Throws SynthError SYN5002 when the retry budget is spent.
   */
  async call(req: ChatRequest, validate?: (value: unknown) => string[]): Promise<ChatResult> {
    const key = this.cache ? this.cacheKeyOf(req) : '';
    const hit = await this.fromCache(key, req.rowKey);
    if (hit) return hit;

    const health = this.o.health;
    const usage: Usage = { prompt: 0, completion: 0 };
    let messages = req.messages;
    let last: AttemptError | undefined;
    const maxAttempts = 1 + Math.max(0, this.profile.retries);
    let attempts = 0;
    let modeChanges = 0;
    let refusals = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (last) {
        // the endpoint was found unusable (by this call's last request, too): no backoff before saying so
        if (health?.error) throw withUsage(health.error, usage, attempts, failureOf(last, this.profile));
        const delay = last.feedback ? 0 : this.scheduler.backoff(attempt - 1, last.retryAfterMs);
        this.emit({ type: 'retry', rowKey: req.rowKey, attempt, kind: last.kind, delayMs: delay, detail: last.message });
        if (delay > 0) await sleep(delay, undefined, this.o.signal ? { signal: this.o.signal } : undefined);
        if (last.feedback) messages = [...messages, ...last.feedback];
      }
      this.o.signal?.throwIfAborted();
      // another call found the endpoint unusable, or the breaker tripped: send nothing more
      if (health?.error) throw withUsage(health.error, usage, attempts);
      attempts++;
      try {
        const r = await this.attempt(req, messages, attempt, validate);
        usage.prompt += r.usage.prompt;
        usage.completion += r.usage.completion;
        this.addUsage(r.usage);
        this.o.onSpend?.(r.usage);
        this.noteModel(r.model);
        if (attempts > 1) this.stats.retried++;
        // a full disk or read-only folder loses the cache entry (said once), not the row
        await this.cache?.keep(key, { value: r.value, usage, model: r.model });
        return { value: r.value, usage, modelReported: r.model, cached: false, attempts, retried: attempts > 1 };
      } catch (e) {
        if (health?.error && e === health.error) throw withUsage(health.error, usage, attempts - 1);
        if ((e as { stopsDataset?: boolean }).stopsDataset) throw Object.assign(e as Error, { usage, attempts: attempts - 1 });
        if (!(e instanceof AttemptError)) throw e;
        if (e.usage) {
          usage.prompt += e.usage.prompt;
          usage.completion += e.usage.completion;
          this.addUsage(e.usage);
          this.o.onSpend?.(e.usage);
        }
        this.stats.failures[e.kind] = (this.stats.failures[e.kind] ?? 0) + 1;
        if (e.fatal && health) {
          this.stats.failed++;
          this.emit({ type: 'failed', rowKey: req.rowKey, attempts, kind: e.kind, detail: this.scrub(e.message) });
          throw withUsage(health.unusable(failureOf(e, this.profile)), usage, attempts);
        }
        if (e.kind === 'client') {
          if (e.modeRefused && modeChanges++ < 2) {
            attempt--; // the endpoint's capabilities, not the answer, were at fault: no retry is spent
            attempts--;
            last = undefined;
            continue;
          }
          last = e;
          break;
        }
        last = e;
        // a refusal is asked again once; a second one is the model's answer
        if (e.kind === 'refusal' && ++refusals >= 2) break;
      }
    }
    this.stats.failed++;
    if (attempts > 1) this.stats.retried++;
    const kind = last?.kind ?? 'network';
    const detail = this.scrub(last?.message ?? 'no attempt made');
    this.emit({ type: 'failed', rowKey: req.rowKey, attempts, kind, detail });
    const failure = last ? failureOf(last, this.profile) : { kind: 'connection' as const, key: 'connection none', message: 'no attempt was made' };
    // the call whose request tripped the breaker reports it (later calls fail with it at once)
    if (health?.error) throw withUsage(health.error, usage, attempts, failure);
    const err = callFailed(this.profile, 'call', req.rowKey, attempts, detail);
    Object.assign(err, { kind, attempts, usage, failure });
    throw err;
  }

  private addUsage(u: Usage): void {
    this.stats.usage.prompt += u.prompt;
    this.stats.usage.completion += u.completion;
  }

  private noteModel(m: string): void {
    if (!this.models.has(m)) {
      this.models.add(m);
      this.stats.models = [...this.models];
    }
  }

  /**
   * On a 400 that names response_format, use a simpler structured-output mode from now on. A refusal of a mode
   * already stepped down from (by another call in flight at the time) only asks for a retry in the current one.
   */
  private stepDown(message: string, sentMode: StructuredMode | undefined): boolean {
    if (!/response_format|json_schema|strict|structured/i.test(message)) return false;
    if (sentMode !== undefined && sentMode !== this.mode) return true;
    if (this.mode === 'strict') this.mode = 'json_schema';
    else if (this.mode === 'json_schema') this.mode = 'json_object';
    else return false;
    this.emit({ type: 'concurrency', limit: this.scheduler.limit, reason: `structured output: endpoint refused, using ${this.mode}` });
    return true;
  }

  /** What goes on the wire for a return schema (wrapped if not an object), and whether strict mode takes it. */
  private wireOf(schema: object): { schema: object; wrapped: boolean; strict: boolean } {
    let wire = this.wire.get(schema);
    if (!wire) {
      const w = wireSchema(schema);
      wire = { ...w, strict: strictCompatible(w.schema) };
      this.wire.set(schema, wire);
    }
    return wire;
  }

  /** The request body a call sends for `messages` (a provider batch sends the very same body). */
  requestBody(req: ChatRequest, messages: ChatMessage[] = req.messages): Record<string, unknown> {
    return this.body(req, messages).body;
  }

  /** The cache key of a call: what is sent plus the row's identity (see cache.ts). */
  cacheKeyOf(req: ChatRequest): string {
    return cacheKey({ model: this.profile.model, endpoint: endpointIdentity(this.profile.baseUrl), params: this.params, messages: req.messages, schema: req.schema, rowKey: req.rowKey });
  }

  /** A finished call from the cache, counted as a call and a hit; undefined on a miss (counted as a call). */
  async fromCache(key: string, rowKey: string): Promise<ChatResult | undefined> {
    this.stats.calls++;
    const hit = this.cache ? await this.cache.get(key) : undefined;
    if (!hit) return undefined;
    this.stats.cached++;
    this.noteModel(hit.model);
    this.emit({ type: 'cache_hit', rowKey });
    return { value: hit.value, usage: { prompt: 0, completion: 0 }, modelReported: hit.model, cached: true, attempts: 0, retried: false };
  }

  /** Records a call answered elsewhere (a provider batch): usage, reported model, the cache entry. */
  async settle(key: string, value: unknown, usage: Usage, model: string, attempts: number): Promise<ChatResult> {
    this.addUsage(usage);
    this.noteModel(model);
    this.stats.requests += attempts;
    if (attempts > 1) this.stats.retried++;
    await this.cache?.keep(key, { value, usage, model });
    return { value, usage, modelReported: model, cached: false, attempts, retried: attempts > 1 };
  }

  private body(req: ChatRequest, messages: ChatMessage[]): { body: Record<string, unknown>; wrapped: boolean } {
    const body: Record<string, unknown> = { model: this.profile.model, messages, ...this.params };
    if (!req.schema) return { body, wrapped: false };
    const wire = this.wireOf(req.schema);
    const { schema, wrapped } = wire;
    if (this.mode === 'json_object') {
      // The schema goes into the conversation instead (json_object mode also requires the word JSON there).
      body['messages'] = [{ role: 'system', content: `Reply with one JSON object only, matching this JSON Schema:\n${JSON.stringify(schema)}` }, ...messages];
      body['response_format'] = { type: 'json_object' };
    } else {
      body['response_format'] = {
        type: 'json_schema',
        json_schema: { name: schemaName(req.schemaName), schema, strict: this.mode === 'strict' && wire.strict },
      };
    }
    return { body, wrapped };
  }

  /**
   * Checks one chat completion as every attempt does — a chat completion at all, no refusal, not cut off, JSON
   * of the return type, the caller's checks — and returns the value, or throws an AttemptError (content faults
   * carry the feedback for the next attempt). Also used for the answers of a provider batch.
   */
  interpret(
    completion: unknown,
    req: ChatRequest,
    validate: ((value: unknown) => string[]) | undefined,
    wrapped = req.schema ? this.wireOf(req.schema).wrapped : false,
    answered?: (u: Usage) => void,
  ): { value: unknown; usage: Usage; model: string } {
    const c = completion as OpenAI.Chat.Completions.ChatCompletion;
    const choice = typeof c === 'object' && c !== null && Array.isArray(c.choices) ? c.choices[0] : undefined;
    if (!choice || !choice.message) throw new AttemptError('malformed', 'the endpoint answered with something that is not a chat completion');
    const u: Usage = { prompt: c.usage?.prompt_tokens ?? 0, completion: c.usage?.completion_tokens ?? 0 };
    const model = typeof c.model === 'string' && c.model ? c.model : this.profile.model;
    answered?.(u);
    const content = choice.message.content ?? '';
    const echo = (): ChatMessage => ({ role: 'assistant', content: content.length > FEEDBACK_ECHO_CHARS ? content.slice(0, FEEDBACK_ECHO_CHARS) + '…' : content });
    const refusal = (choice.message as { refusal?: string | null }).refusal;
    if (refusal) {
      throw new AttemptError('refusal', `the model refused: ${refusal.slice(0, 200)}`, undefined, [echo(), { role: 'user', content: 'Please answer the request as asked, with the requested JSON.' }], u, {
        kind: 'refusal',
        key: `refusal ${this.profile.id}`,
        message: `model '${this.profile.id}' refused: ${JSON.stringify(refusal.slice(0, 200))}`,
      });
    }
    if (choice.finish_reason === 'length') {
      const limit = this.profile.maxTokens !== undefined ? `max_tokens ${this.profile.maxTokens}` : "the endpoint's default max_tokens";
      throw new AttemptError('truncated', 'the answer was cut off at max_tokens', undefined, [
        echo(),
        { role: 'user', content: 'Your reply was cut off before it ended. Reply again, complete and more concise' + (req.schema ? ', with the JSON only.' : '.') },
      ], u, {
        kind: 'max_tokens',
        key: `max_tokens ${this.profile.id}`,
        message: `the answer was cut off at ${limit} (model '${this.profile.id}'): raise \`max_tokens\` in the model or the prompt`,
      });
    }
    let value: unknown = content;
    if (req.schema) {
      try {
        value = JSON.parse(content);
      } catch (e) {
        throw new AttemptError('malformed', `the answer is not valid JSON (${(e as Error).message.slice(0, 120)})`, undefined, [
          echo(),
          { role: 'user', content: 'Your reply was not valid JSON. Reply again with only the JSON value that matches the schema: no prose, no code fences.' },
        ], u, { kind: 'malformed', key: `malformed ${this.profile.id}`, message: `model '${this.profile.id}' answered with text that is not JSON: ${JSON.stringify(content.slice(0, 80))}` });
      }
      if (wrapped) value = value && typeof value === 'object' && !Array.isArray(value) ? (value as { value?: unknown }).value : undefined;
      // `T?` means "T or absent": an omitted optional field is null, in every structured-output mode
      value = fillOmittedOptionals(req.schema, value);
    }
    // inexact integers are named by the digits the model wrote (scanned only when there is one)
    const inexact = req.schema && inexactIntegers(req.schema, value).length ? inexactIntegers(req.schema, value, '', numberLiterals(content)) : [];
    const errors = [...(req.schema ? [...schemaErrors(req.schema, value), ...inexact] : []), ...(validate ? validate(value) : [])];
    if (errors.length) {
      const pointer = /^(\S*?):/.exec(errors[0]!)?.[1] ?? '(root)';
      throw new AttemptError('invalid', `the answer does not match the type: ${errors.slice(0, 5).join('; ')}`, undefined, [
        echo(),
        { role: 'user', content: `Your reply does not match the required type:\n${errors.slice(0, 20).map((x) => '- ' + x).join('\n')}\nReply again with corrected JSON only.` },
      ], u, {
        kind: 'schema',
        // one group per field, whatever the array positions
        key: `schema ${req.schemaName} ${pointer.replace(/\/\d+(?=\/|$)/g, '/*')}`,
        message: `the answer does not match ${req.schemaName} at ${pointer}: ${errors[0]!.slice(pointer.length + 1).trim().slice(0, 200)}`,
      });
    }
    return { value, usage: u, model };
  }

  private async attempt(
    req: ChatRequest,
    messages: ChatMessage[],
    attempt: number,
    validate: ((value: unknown) => string[]) | undefined,
  ): Promise<{ value: unknown; usage: Usage; model: string }> {
    const est = this.scheduler.needsTokenEstimate ? estimatePromptTokens(messages, req.schema, this.profile.model) + (this.profile.maxTokens ?? 1024) : 0;
    // Until the endpoint has answered once, requests go one at a time (health.ts): a wrong key costs one.
    const admitted = this.o.health ? await this.o.health.admit() : undefined;
    let answered = false;
    try {
      const r = await this.scheduler.run(est, async () => {
        try {
          const done = await this.send(req, messages, attempt, validate);
          this.o.health?.requestEnded(true);
          return done;
        } catch (e) {
          // Recorded here, before the scheduler gives the slot to the next request, so that none is sent to an
          // endpoint found unusable or after the failure that trips the breaker.
          if (e instanceof AttemptError && e.fatal) this.o.health?.unusable(failureOf(e, this.profile));
          else if (e instanceof AttemptError && !e.modeRefused) this.o.health?.requestFailed(e, failureOf(e, this.profile), 1 + Math.max(0, this.profile.retries));
          throw e;
        }
      });
      answered = true;
      return r;
    } catch (e) {
      answered = e instanceof AttemptError && e.answered;
      throw e;
    } finally {
      admitted?.(answered);
    }
  }

  /** One request, admitted by the scheduler: build the body, send it, interpret the answer. */
  private async send(
    req: ChatRequest,
    messages: ChatMessage[],
    attempt: number,
    validate: ((value: unknown) => string[]) | undefined,
  ): Promise<{ result: { value: unknown; usage: Usage; model: string }; tokens: number }> {
    // Queued before the endpoint was found unusable, the breaker tripped or the budget ran out: send nothing.
    this.o.health?.check();
    const stop = this.o.stopSending?.();
    if (stop) throw stop;
    const settle = this.o.reserveSpend?.(() => worstCaseUsage(messages, req.schema, this.profile));
    if (settle instanceof Error) throw settle;
    let used: Usage = { prompt: 0, completion: 0 };
    try {
      const out = await this.sendNow(req, messages, attempt, validate);
      used = out.result.usage;
      return out;
    } catch (e) {
      if (e instanceof AttemptError && e.usage) used = e.usage;
      throw e;
    } finally {
      settle?.(used);
    }
  }

  /** `send` once its worst case is reserved. */
  private async sendNow(
    req: ChatRequest,
    messages: ChatMessage[],
    attempt: number,
    validate: ((value: unknown) => string[]) | undefined,
  ): Promise<{ result: { value: unknown; usage: Usage; model: string }; tokens: number }> {
    // Built once admitted, not while queued: a run queues every row at once, and thousands of waiting request
    // bodies are garbage the collector has to copy (and the mode may step down meanwhile).
    const mode = this.mode;
    const { body, wrapped } = this.body(req, messages);
    const t0 = Date.now();
    this.stats.requests++;
    this.emit({ type: 'request', rowKey: req.rowKey, attempt });
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = (await this.openai.chat.completions.create(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, {
        ...(this.o.signal ? { signal: this.o.signal } : {}),
      })) as OpenAI.Chat.Completions.ChatCompletion;
    } catch (e) {
      const err = this.transportError(e);
      // Decided here, before the slot is given back, so that no queued call is sent in the refused mode.
      if (err.kind === 'client') err.modeRefused = this.stepDown(err.message, mode);
      if (err.modeRefused) err.fatal = false;
      throw err;
    }
    const r = this.interpret(completion, req, validate, wrapped, (u) => {
      this.emit({ type: 'response', rowKey: req.rowKey, attempt, ms: Date.now() - t0, usage: u });
      this.scheduler.success(); // the endpoint answered: whatever the content, it is not pushing back
    });
    return { result: r, tokens: r.usage.prompt + r.usage.completion };
  }

  /** Classifies an error from the openai client (or the fetch beneath it). */
  private transportError(e: unknown): AttemptError {
    return transportError(e, this.faults);
  }
}

/** Output tokens a request without `max_tokens` is assumed to be able to use, for the budget's reservation
 *  (set `max_tokens` for an exact bound). */
export const ASSUMED_MAX_OUTPUT_TOKENS = 4096;

/**
 * The most tokens one request can use: its prompt — the larger of its count (js-tiktoken, tokens.ts; +10 % and
 * 16 for the endpoint's own framing, which the count can only approximate) and one token per 4 characters (the
 * usual rule of thumb, which OpenAI-compatible servers with other tokenizers come close to) — and its
 * `max_tokens` (ASSUMED_MAX_OUTPUT_TOKENS when unset).
 */
export function worstCaseUsage(messages: readonly ChatMessage[], schema: object | undefined, profile: ModelProfile): Usage {
  const counted = Math.ceil(estimatePromptTokens(messages, schema, profile.model) * 1.1) + 16;
  const chars = messages.reduce((n, m) => n + m.content.length + 16, 0) + (schema ? JSON.stringify(schema).length : 0);
  return { prompt: Math.max(counted, Math.ceil(chars / 4)), completion: profile.maxTokens ?? ASSUMED_MAX_OUTPUT_TOKENS };
}

/** The cause a failed attempt is reported with: the one classified with it, or one derived from its kind. */
function failureOf(e: AttemptError, profile: ModelProfile): FailureCause {
  if (e.failure) return e.failure;
  const host = hostOf(profile.baseUrl);
  switch (e.kind) {
    case 'timeout':
      return { kind: 'timeout', key: `timeout ${host}`, message: `no answer from ${host} within ${profile.timeoutMs} ms` };
    case 'network':
    case 'server':
    case 'rate_limit':
    case 'client':
      return { kind: 'connection', key: `connection ${e.kind} ${host}`, message: `${host}: ${e.message}` };
    default:
      return { kind: 'malformed', key: `malformed ${e.kind}`, message: e.message };
  }
}

/** A per-call copy of a shared stopping error (SYN5020/SYN5021), carrying this call's tokens and cause. */
function withUsage(shared: SynthError & { failure?: FailureCause }, usage: Usage, attempts: number, failure?: FailureCause): SynthError {
  const e = SynthError.copy(shared);
  return Object.assign(e, { usage: { ...usage }, attempts, failure: failure ?? shared.failure, stopsDataset: true });
}
