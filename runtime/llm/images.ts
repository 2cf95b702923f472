// The image client: one per `model` block that draws images (`prompt p(...) -> image`). Calls the images API
// (`/v1/images/generations`) of any OpenAI-compatible endpoint through the official `openai` package.
//
// One `generate` = one logical call for one row: `n` images of one prompt text.
//   cache hit (entry and every image file present) → done, nothing sent;
//   otherwise up to 1 + `retries` attempts, each admitted by the model's scheduler (concurrency, rpm);
//   images come back as base64 or as URLs (downloaded at once: provider URLs expire); every image must be a real
//   PNG/JPEG/WebP/GIF, and fewer images than asked is a malformed answer — both are retried;
//   an endpoint that refuses `n` > 1 (DALL·E 3 does) is asked for one image per request from then on, and one
//   that refuses `seed` (OpenAI's own does) gets none from then on (the index then records seed null).
// Finished images go to the content-addressed store (images/store.ts) before the cache entry that names them,
// so a cache hit never points at a missing file. The API key never reaches the cache, events or messages.
import OpenAI from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostOf } from '../cause.js';
import { sniffImage } from '../images/format.js';
import { ImageStore, sha256, type StoredImage } from '../images/store.js';
import { cacheKey, ResponseCache, type CacheProblem } from './cache.js';
import { endpointIdentity } from './endpoint.js';
import { AttemptError, callFailed, scrubber, transportError, type TransportContext } from './faults.js';
import type { EndpointHealth } from './health.js';
import { keepAliveFetch, type KeepAliveFetch } from './http.js';
import { Scheduler } from './scheduler.js';
import type { FailureKind, LlmEvent, ModelProfile } from './types.js';

export interface ImageRequest {
  /** the text sent as the image prompt */
  prompt: string;
  /** images wanted (the prompt's `images` setting) */
  n: number;
  /** e.g. "512x512"; absent: the endpoint's default */
  size?: string;
  /** sent as `seed` where the model block asks for seeds (recorded in the index either way) */
  seed?: number;
  /** stable identity of (dataset, row, attempt, call), as for chat calls */
  rowKey: string;
}

export interface ImageResult {
  images: StoredImage[];
  modelReported: string;
  /** the seed the endpoint was sent (null: none, or the endpoint refused seeds) */
  seed: number | null;
  cached: boolean;
  attempts: number;
  retried: boolean;
}

export interface ImageClientOptions {
  apiKey: string;
  /** the project's `.synth/cache` (entries under llm/, files under images/); required: images live there */
  cacheDir: string;
  fetch?: typeof globalThis.fetch;
  scheduler?: Scheduler;
  onEvent?: (e: LlmEvent) => void;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  signal?: AbortSignal;
  /** the model block's endpoint health (fail fast, circuit breaker; see health.ts) */
  health?: EndpointHealth;
  /** told of each answer the cache could not keep (see LlmClientOptions) */
  onCacheProblem?: (p: CacheProblem) => void;
}

export interface ImageClientStats {
  calls: number;
  cached: number;
  failed: number;
  retried: number;
  requests: number;
  /** images received from the endpoint (what is billed) */
  images: number;
  failures: Partial<Record<FailureKind, number>>;
  models: string[];
}

/** Sizes OpenAI-compatible endpoints accept look like "1024x1024" (gpt-image-1 also takes "auto"). */
export const IMAGE_SIZE = /^(\d{2,5}x\d{2,5}|auto)$/;

export class ImageClient {
  readonly scheduler: Scheduler;
  readonly store: ImageStore;
  private readonly openai: OpenAI;
  private readonly fetch: typeof globalThis.fetch;
  private readonly cache: ResponseCache;
  private closed = false;
  private readonly pool: KeepAliveFetch | undefined;
  private readonly scrub: (text: string) => string;
  /** how a failed request is classified (faults.ts): this client's scheduler, timeout and scrubbing */
  private readonly faults: TransportContext;
  private readonly models = new Set<string>();
  /** images per request: `n` until the endpoint refuses more than one */
  private perRequest = Infinity;
  /** false once the endpoint refused the `seed` parameter */
  private seedAccepted = true;
  readonly stats: ImageClientStats = { calls: 0, cached: 0, failed: 0, retried: 0, requests: 0, images: 0, failures: {}, models: [] };

  constructor(
    readonly profile: ModelProfile,
    private readonly o: ImageClientOptions,
  ) {
    this.scrub = scrubber(o.apiKey);
    this.pool = o.fetch ? undefined : keepAliveFetch();
    this.fetch = o.fetch ?? this.pool!.fetch;
    this.openai = new OpenAI({ apiKey: o.apiKey || 'none', baseURL: profile.baseUrl, maxRetries: 0, timeout: profile.timeoutMs, fetch: this.fetch, logLevel: 'off' });
    this.cache = new ResponseCache(o.cacheDir, o.apiKey ? [o.apiKey] : [], o.onCacheProblem);
    this.store = new ImageStore(o.cacheDir);
    this.scheduler =
      o.scheduler ??
      new Scheduler({
        concurrency: profile.concurrency,
        ...(profile.rpm ? { rpm: profile.rpm } : {}),
        ...(o.backoffBaseMs !== undefined ? { backoffBaseMs: o.backoffBaseMs } : {}),
        ...(o.backoffMaxMs !== undefined ? { backoffMaxMs: o.backoffMaxMs } : {}),
      });
    this.faults = { host: hostOf(profile.baseUrl), scheduler: this.scheduler, timeoutMs: profile.timeoutMs, apiKeyEnv: profile.apiKeyEnv, signal: o.signal, scrub: this.scrub };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.close();
    await this.pool?.close();
  }

  async generate(req: ImageRequest): Promise<ImageResult> {
    this.stats.calls++;
    const params = { kind: 'image', n: req.n, size: req.size ?? null, seed: req.seed ?? null };
    const key = cacheKey({ model: this.profile.model, endpoint: endpointIdentity(this.profile.baseUrl), params, messages: [{ role: 'user', content: req.prompt }], schema: undefined, rowKey: req.rowKey });
    const hit = await this.cache.get(key);
    const hitImages = hit ? ((hit.value as { images?: StoredImage[] }).images ?? []) : [];
    if (hit && hitImages.length === req.n && hitImages.every((img) => this.store.has(img))) {
      this.stats.cached++;
      this.noteModel(hit.model);
      this.o.onEvent?.({ type: 'cache_hit', rowKey: req.rowKey });
      const seed = (hit.value as { seed?: number | null }).seed ?? null;
      return { images: hitImages, modelReported: hit.model, seed, cached: true, attempts: 0, retried: false };
    }

    const images: StoredImage[] = [];
    let model = this.profile.model;
    let attempts = 0;
    let last: AttemptError | undefined;
    const maxAttempts = 1 + Math.max(0, this.profile.retries);
    for (let attempt = 1; attempt <= maxAttempts && images.length < req.n; attempt++) {
      if (last) {
        const delay = last.kind === 'malformed' ? 0 : this.scheduler.backoff(attempt - 1, last.retryAfterMs);
        this.o.onEvent?.({ type: 'retry', rowKey: req.rowKey, attempt, kind: last.kind, delayMs: delay, detail: last.message });
        if (delay > 0) await sleep(delay, undefined, this.o.signal ? { signal: this.o.signal } : undefined);
      }
      this.o.signal?.throwIfAborted();
      this.o.health?.check();
      attempts++;
      // what this request sends: a refusal of `n` or `seed` by a request sent before the step-down (another
      // call's, in flight at the time) is retried the new way, not counted as a failure
      const want = Math.min(req.n - images.length, this.perRequest);
      const sentSeed = this.seedAccepted && req.seed !== undefined;
      try {
        // Images already received are kept: a retry asks only for the rest (with the seed moved on, so the
        // extra images are new draws, not repeats of the first).
        const r = await this.attempt(req, want, images.length, attempt);
        images.push(...r.images);
        this.o.health?.requestEnded(true);
        model = r.model;
        last = undefined;
        if (images.length < req.n) attempt--; // the endpoint answers one image per request: not a retry
      } catch (e) {
        if (!(e instanceof AttemptError)) throw e;
        this.stats.failures[e.kind] = (this.stats.failures[e.kind] ?? 0) + 1;
        if (e.kind === 'client' && sentSeed && /\bseed\b/i.test(e.message)) {
          if (this.seedAccepted) this.o.onEvent?.({ type: 'concurrency', limit: this.scheduler.limit, reason: 'images: endpoint refused seed, sending none' });
          this.seedAccepted = false;
          attempt--;
          attempts--;
          continue;
        }
        if (e.kind === 'client' && want > 1 && /\bn\b|number of images|n=1/i.test(e.message)) {
          if (this.perRequest > 1) this.o.onEvent?.({ type: 'concurrency', limit: this.scheduler.limit, reason: 'images: endpoint refused n > 1, asking one image per request' });
          this.perRequest = 1;
          attempt--;
          attempts--;
          continue;
        }
        last = e;
        // a wrong key, URL or model: every call would fail the same way (health.ts)
        if (e.fatal && e.failure && this.o.health) throw this.o.health.unusable(e.failure);
        if (e.failure) this.o.health?.requestFailed(e, e.failure, maxAttempts);
        if (this.o.health?.error) throw this.o.health.error;
        if (e.kind === 'client') break;
      }
    }
    if (images.length < req.n) {
      this.stats.failed++;
      if (attempts > 1) this.stats.retried++;
      const detail = this.scrub(last?.message ?? 'no attempt made');
      this.o.onEvent?.({ type: 'failed', rowKey: req.rowKey, attempts, kind: last?.kind ?? 'network', detail });
      const failure = last?.failure ?? { kind: 'malformed' as const, key: `malformed images ${this.profile.id}`, message: `model '${this.profile.id}': ${detail}` };
      if (this.o.health?.error) throw this.o.health.error;
      const err = callFailed(this.profile, 'image call', req.rowKey, attempts, detail);
      throw Object.assign(err, { failure });
    }

    if (attempts > 1) this.stats.retried++;
    this.noteModel(model);
    const seed = req.seed !== undefined && this.seedAccepted ? req.seed : null;
    // a full disk loses the cache entry (said once), not the row
    await this.cache.keep(key, { value: { images, seed }, usage: { prompt: 0, completion: 0 }, model });
    return { images, modelReported: model, seed, cached: false, attempts, retried: attempts > 1 };
  }

  private noteModel(m: string): void {
    if (!this.models.has(m)) {
      this.models.add(m);
      this.stats.models = [...this.models];
    }
  }

  private async attempt(req: ImageRequest, n: number, offset: number, attempt: number): Promise<{ images: StoredImage[]; model: string }> {
    const body: Record<string, unknown> = { model: this.profile.model, prompt: req.prompt, n };
    if (req.size) body['size'] = req.size;
    if (req.seed !== undefined && this.seedAccepted) body['seed'] = (req.seed + offset) >>> 0;
    const t0 = Date.now();
    return this.scheduler.run(0, async () => {
      this.stats.requests++;
      this.o.onEvent?.({ type: 'request', rowKey: req.rowKey, attempt });
      let res: OpenAI.Images.ImagesResponse;
      try {
        res = (await this.openai.images.generate(body as unknown as OpenAI.Images.ImageGenerateParamsNonStreaming, this.o.signal ? { signal: this.o.signal } : {})) as OpenAI.Images.ImagesResponse;
      } catch (e) {
        throw transportError(e, this.faults);
      }
      this.scheduler.success();
      const data = res && typeof res === 'object' && Array.isArray(res.data) ? res.data : undefined;
      if (!data) throw new AttemptError('malformed', 'the endpoint answered with something that is not an images response');
      const images: StoredImage[] = [];
      for (const [i, d] of data.slice(0, n).entries()) {
        let buf: Buffer;
        if (typeof d.b64_json === 'string') buf = Buffer.from(d.b64_json, 'base64');
        else if (typeof d.url === 'string') buf = await this.download(d.url);
        else throw new AttemptError('malformed', `image ${i + 1} has neither b64_json nor url`);
        const info = sniffImage(buf);
        if (!info) throw new AttemptError('malformed', `image ${i + 1} is not a PNG, JPEG, WebP or GIF file (${buf.length} bytes)`);
        const img: StoredImage = { sha256: sha256(buf), format: info.format, width: info.width, height: info.height, bytes: buf.length };
        this.store.put(buf, img);
        images.push(img);
      }
      if (images.length < n) throw new AttemptError('malformed', `asked for ${n} image${n === 1 ? '' : 's'}, got ${images.length}`);
      this.stats.images += images.length;
      this.o.onEvent?.({ type: 'response', rowKey: req.rowKey, attempt, ms: Date.now() - t0, usage: { prompt: 0, completion: 0 } });
      const reported = (res as { model?: unknown }).model;
      return { result: { images, model: typeof reported === 'string' && reported ? reported : this.profile.model } };
    });
  }

  private async download(url: string): Promise<Buffer> {
    let r: Response;
    try {
      r = await this.fetch(url, { method: 'GET', ...(this.o.signal ? { signal: this.o.signal } : {}) });
    } catch (e) {
      throw transportError(e, this.faults);
    }
    if (r.status >= 500 || r.status === 429) throw new AttemptError(r.status === 429 ? 'rate_limit' : 'server', `image download failed (HTTP ${r.status})`);
    if (r.status !== 200) throw new AttemptError('malformed', `image URL answered HTTP ${r.status}`);
    try {
      return Buffer.from(await r.arrayBuffer());
    } catch (e) {
      throw transportError(e, this.faults);
    }
  }
}
