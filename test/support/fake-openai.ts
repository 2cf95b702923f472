// A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions API, for tests and benchmarks: answers
// with JSON made from the request's response_format schema, after a configurable latency, with injected faults
// (429 + Retry-After, 500, timeouts, malformed or truncated JSON, schema violations, dropped connections).
//
// Deterministic mode: the answer is a pure function of the request body (a hash of it seeds the generator), so
// reruns give identical rows. Faults are drawn from (seed, request number), never from the body, so a retried
// request can succeed.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generate, violate } from './fake-openai-schema.js';
import { mulberry32, type Rng } from './prng.js';
import { makePng } from './png.js';
import { batchApi, type BatchOptions, type BatchStats } from './fake-openai-batch.js';

export type FaultKind = '429' | '500' | 'timeout' | 'malformed' | 'truncated' | 'schema' | 'disconnect';
export const ALL_FAULTS: FaultKind[] = ['429', '500', 'timeout', 'malformed', 'truncated', 'schema', 'disconnect'];

export interface FakeOpenAIOptions {
  latencyMs?: number;
  /** extra uniform random latency in [0, latencyJitterMs) */
  latencyJitterMs?: number;
  faults?: { rate: number; kinds?: FaultKind[] };
  seed?: number;
  deterministic?: boolean;
  /** if set, requests must carry `Authorization: Bearer <apiKey>` (else 401) */
  apiKey?: string;
  /** Retry-After sent with 429s, ms (default 100; sent as retry-after-ms and as whole seconds in retry-after) */
  retryAfterMs?: number;
  /** how long a `timeout` fault holds the request before dropping it (default 120 s) */
  hangMs?: number;
  /** what structured output this endpoint accepts: 'strict' (default) | 'json_schema' (rejects strict: true) |
   *  'json_object' (rejects json_schema) — to test the client's fallback */
  structured?: 'strict' | 'json_schema' | 'json_object';
  /** the model name reported in responses (default: the requested name + '-fake') */
  reportModel?: (requested: string) => string;
  /** images API: how images come back unless the request says (default 'b64_json'; 'url' serves them here) */
  imageFormat?: 'b64_json' | 'url';
  /** images API: refuse `n` above this with a 400, as DALL·E 3 does for n > 1 */
  maxImagesPerRequest?: number;
  /** Files and Batch APIs: batch latency and line-level faults (see fake-openai-batch.ts) */
  batch?: BatchOptions;
  /** keep a record of every request (default true; the bench turns it off) */
  record?: boolean;
  /** called as each request arrives, before anything is answered: tests kill a client at a chosen request
   *  (a kill point chosen by what the run has done, never by a timer) */
  onRequest?: (r: { method: string; path: string; n: number }) => void;
  /** chat: hold request `n` (1-based, all requests counted) until the promise settles — a test looks at the
   *  client mid-run at a point chosen by what it has done; undefined answers at once */
  hold?: (n: number) => Promise<void> | undefined;
  /** chat: a scripted answer for a request (its parsed body), instead of one generated from the schema: an
   *  HTTP error (`status`, `message`), or a completion with this `content`, `refusal` and `finish_reason`;
   *  undefined answers as usual */
  script?: (body: { model?: string; messages?: Array<{ role: string; content: string }> }) => ScriptedAnswer | undefined;
  port?: number;
  host?: string;
}

export interface ScriptedAnswer {
  status?: number;
  message?: string;
  /** with `status`: the error's `code` and `type` (OpenAI's `insufficient_quota`, …) */
  code?: string;
  /** with `status`: response headers (`retry-after`, …) */
  headers?: Record<string, string>;
  content?: string;
  refusal?: string;
  finish?: 'stop' | 'length' | 'content_filter';
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** parsed JSON body (undefined for GET) */
  body: unknown;
  /** true if the Authorization header was present (its value is never recorded) */
  authorized: boolean;
  fault: FaultKind | undefined;
  status: number;
  at: number;
}

export interface FakeOpenAIStats {
  requests: number;
  ok: number;
  faults: Partial<Record<FaultKind, number>>;
  maxInFlight: number;
  inFlight: number;
  /** when the first request arrived and the last answer (any status) was sent, ms since the epoch (0: none
   *  yet): the wire's view of a run, for benchmarks */
  firstRequestAt: number;
  lastAnswerAt: number;
}

export interface FakeOpenAI {
  /** base URL, ending in /v1 */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** as the option of that name; settable while the server runs (tests that share one server) */
  onRequest: FakeOpenAIOptions['onRequest'];
  close(): Promise<void>;
  stats(): FakeOpenAIStats;
  batchStats(): BatchStats;
}

interface ChatBody {
  model?: string;
  messages?: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } };
  max_tokens?: number;
  max_completion_tokens?: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function hash32(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32LE(0);
}

function schemaInMessages(messages: Array<{ content: string }>): unknown {
  for (const m of messages) {
    const i = typeof m.content === 'string' ? m.content.indexOf('JSON Schema:') : -1;
    if (i < 0) continue;
    try {
      return JSON.parse(m.content.slice(i + 'JSON Schema:'.length).trim());
    } catch {
      // not followed by a schema
    }
  }
  return undefined;
}

const tokensOf = (s: string) => Math.max(1, Math.ceil(s.length / 4));

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  // filled in once listening; the request handler reads `handle.onRequest`, which tests may set at any time
  const handle = { onRequest: opts.onRequest } as FakeOpenAI;
  const latency = opts.latencyMs ?? 0;
  const jitter = opts.latencyJitterMs ?? 0;
  const rate = opts.faults?.rate ?? 0;
  const kinds = opts.faults?.kinds ?? ALL_FAULTS;
  const seed = opts.seed ?? 1;
  const record = opts.record ?? true;
  const retryAfter = opts.retryAfterMs ?? 100;
  const structured = opts.structured ?? 'strict';
  const reportModel = opts.reportModel ?? ((m: string) => m + '-fake');
  const faultRng = mulberry32(seed ^ 0x5bd1e995);
  const answerRng = mulberry32(seed);
  const requests: RecordedRequest[] = [];
  const stats: FakeOpenAIStats = { requests: 0, ok: 0, faults: {}, maxInFlight: 0, inFlight: 0, firstRequestAt: 0, lastAnswerAt: 0 };
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let n = 0;
  let port = 0;

  const later = (fn: () => void, ms: number) => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
    stats.lastAnswerAt = Date.now();
  };
  const error = (res: ServerResponse, status: number, message: string, type: string, headers: Record<string, string> = {}, code: string | null = null) =>
    send(res, status, JSON.stringify({ error: { message, type, param: null, code } }), headers);

  /** This request's fault, drawn from the request counter (never the body, so a retry can succeed). A 'timeout'
   *  holds the request until the client gives up (or `hangMs`), then drops it; the caller just returns. */
  const drawFault = (res: ServerResponse, rec: RecordedRequest | undefined, done: () => void): FaultKind | undefined => {
    const fault = rate > 0 && faultRng() < rate ? kinds[Math.floor(faultRng() * kinds.length)] : undefined;
    if (rec) rec.fault = fault;
    if (fault) stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    if (fault === 'timeout') {
      hanging.add(res);
      later(() => {
        hanging.delete(res);
        res.destroy();
        done();
      }, opts.hangMs ?? 120_000);
      res.on('close', () => {
        if (hanging.delete(res)) done();
      });
    }
    return fault;
  };
  /** Answers a '429' (with Retry-After) or '500' fault; false for any other. */
  const refuse = (fault: FaultKind | undefined, res: ServerResponse, rec: RecordedRequest | undefined, rateLimitMessage: string): boolean => {
    if (fault === '429') {
      if (rec) rec.status = 429;
      error(res, 429, rateLimitMessage, 'requests', { 'retry-after-ms': String(retryAfter), 'retry-after': String(Math.ceil(retryAfter / 1000)) });
      return true;
    }
    if (fault === '500') {
      if (rec) rec.status = 500;
      error(res, 500, 'The server had an error while processing your request. Sorry about that!', 'server_error');
      return true;
    }
    return false;
  };
  /** Sends a 200 answer; a 'disconnect' fault promises the full body in its headers, sends half, and drops. */
  const reply = (fault: FaultKind | undefined, res: ServerResponse, rec: RecordedRequest | undefined, body: string): void => {
    if (rec) rec.status = 200;
    if (fault === 'disconnect') {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    stats.ok++;
    send(res, 200, body);
  };

  /** A chat completion (JSON text) for a parsed request; `raw` seeds the answer in deterministic mode. Content
   *  faults ('schema', 'malformed', 'truncated') shape the answer; transport faults are the caller's. */
  const completionFor = (body: ChatBody, raw: string, fault: FaultKind | undefined): string => {
    const rng: Rng = opts.deterministic ? mulberry32(hash32(raw)) : answerRng;
    const rf = body.response_format;
    // json_object mode: like a model, follow a JSON Schema given in the conversation ("... JSON Schema:\n{...}").
    const schema = rf?.type === 'json_schema' ? rf.json_schema?.schema : rf?.type === 'json_object' ? schemaInMessages(body.messages!) : undefined;
    let content: string;
    let finish = 'stop';
    if (rf?.type === 'json_schema' || rf?.type === 'json_object') {
      const value = fault === 'schema' ? violate(schema ?? { type: 'object' }, rng) : generate(schema ?? { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] }, rng);
      content = JSON.stringify(value);
      if (fault === 'malformed') content = rng() < 0.5 ? 'Sure! Here is the JSON you asked for:\n' + content : content.replace(/"/g, "'");
      if (fault === 'truncated') {
        content = content.slice(0, Math.max(1, Math.floor(content.length / 2)));
        finish = 'length';
      }
    } else {
      content = String(generate({ type: 'string', minLength: 20, maxLength: 200 }, rng));
      if (fault === 'truncated') finish = 'length';
    }
    const promptTokens = body.messages!.reduce((a, m) => a + 3 + (typeof m.content === 'string' ? tokensOf(m.content) : 0), 3);
    const reply = JSON.stringify({
      id: 'chatcmpl-' + (++n).toString(36),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: reportModel(body.model!),
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finish, logprobs: null }],
      usage: { prompt_tokens: promptTokens, completion_tokens: tokensOf(content), total_tokens: promptTokens + tokensOf(content) },
    });
    return reply;
  };

  const handleChat = (raw: string, res: ServerResponse, rec: RecordedRequest | undefined, done: () => void) => {
    let body: ChatBody;
    try {
      body = JSON.parse(raw) as ChatBody;
    } catch {
      if (rec) rec.status = 400;
      error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return done();
    }
    if (rec) rec.body = body;
    if (!body.model || !Array.isArray(body.messages) || body.messages.length === 0) {
      if (rec) rec.status = 400;
      error(res, 400, "Missing required parameter: 'model' or 'messages'.", 'invalid_request_error');
      return done();
    }
    const rf = body.response_format;
    if (rf?.type === 'json_schema' && (structured === 'json_object' || (structured === 'json_schema' && rf.json_schema?.strict))) {
      if (rec) rec.status = 400;
      error(res, 400, `Invalid parameter: 'response_format' of type 'json_schema'${rf.json_schema?.strict ? " with 'strict': true" : ''} is not supported with this model.`, 'invalid_request_error');
      return done();
    }
    const scripted = opts.script?.(body);
    if (scripted) {
      if (scripted.status) {
        if (rec) rec.status = scripted.status;
        error(res, scripted.status, scripted.message ?? `scripted HTTP ${scripted.status}`, scripted.code ?? 'invalid_request_error', scripted.headers ?? {}, scripted.code ?? null);
        return done();
      }
      const content = scripted.content ?? '';
      const reply = {
        id: 'chatcmpl-' + (++n).toString(36),
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: reportModel(body.model!),
        choices: [{ index: 0, message: { role: 'assistant', content: scripted.refusal ? null : content, refusal: scripted.refusal ?? null }, finish_reason: scripted.finish ?? 'stop', logprobs: null }],
        usage: { prompt_tokens: 10, completion_tokens: tokensOf(content || scripted.refusal || ' '), total_tokens: 10 + tokensOf(content || scripted.refusal || ' ') },
      };
      if (rec) rec.status = 200;
      stats.ok++;
      send(res, 200, JSON.stringify(reply));
      return done();
    }
    const fault = drawFault(res, rec, done);
    if (fault === 'timeout') return;
    const wait = latency + (jitter ? Math.floor(answerRng() * jitter) : 0);
    later(() => {
      done();
      if (refuse(fault, res, rec, 'Rate limit reached for requests. Please try again shortly.')) return;
      reply(fault, res, rec, completionFor(body, raw, fault));
    }, wait);
  };

  // Images API: PNGs whose pixels derive from the request (deterministic mode) or the answer stream. Faults as
  // for chat: 429, 500, timeout, dropped connection; 'malformed' sends bytes that are not an image, 'truncated'
  // and 'schema' send fewer images than asked.
  const served = new Map<string, Buffer>();
  const handleImages = (raw: string, res: ServerResponse, rec: RecordedRequest | undefined, done: () => void) => {
    let body: { model?: string; prompt?: string; n?: number; size?: string; response_format?: string; seed?: number };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      if (rec) rec.status = 400;
      error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return done();
    }
    if (rec) rec.body = body;
    const n = body.n ?? 1;
    if (typeof body.prompt !== 'string' || !body.prompt || !Number.isInteger(n) || n < 1 || n > 10) {
      if (rec) rec.status = 400;
      error(res, 400, "Invalid request: 'prompt' is required and 'n' must be between 1 and 10.", 'invalid_request_error');
      return done();
    }
    if (opts.maxImagesPerRequest !== undefined && n > opts.maxImagesPerRequest) {
      if (rec) rec.status = 400;
      error(res, 400, `You requested n=${n}, but this model only supports n=${opts.maxImagesPerRequest}.`, 'invalid_request_error');
      return done();
    }
    const fault = drawFault(res, rec, done);
    if (fault === 'timeout') return;
    const [w, h] = /^(\d+)x(\d+)$/.test(body.size ?? '') ? body.size!.split('x').map((x) => Math.min(64, Number(x))) : [64, 64];
    const wait = latency + (jitter ? Math.floor(answerRng() * jitter) : 0);
    later(() => {
      done();
      if (refuse(fault, res, rec, 'Rate limit reached for images per minute.')) return;
      const base = opts.deterministic ? hash32(raw) : Math.floor(answerRng() * 2 ** 32);
      const count = fault === 'truncated' || fault === 'schema' ? Math.max(0, n - 1) : n;
      const format = body.response_format === 'url' || body.response_format === 'b64_json' ? body.response_format : (opts.imageFormat ?? 'b64_json');
      const data = Array.from({ length: count }, (_, k) => {
        const png = fault === 'malformed' && k === 0 ? Buffer.from('<html>not an image</html>') : makePng(w!, h!, (base + k * 0x9e3779b9) >>> 0);
        if (format === 'b64_json') return { b64_json: png.toString('base64'), revised_prompt: body.prompt };
        const id = createHash('sha1').update(png).digest('hex').slice(0, 16);
        served.set(id, png);
        return { url: `http://${opts.host ?? '127.0.0.1'}:${port}/v1/fake-images/${id}.png`, revised_prompt: body.prompt };
      });
      reply(fault, res, rec, JSON.stringify({ created: Math.floor(Date.now() / 1000), data, model: reportModel(body.model ?? 'image-model') }));
    }, wait);
  };

  const batches = batchApi(opts.batch ?? {}, {
    send,
    error,
    rng: mulberry32(seed ^ 0x2545f491),
    completionFor: (body, raw, fault) => completionFor(body as ChatBody, raw, fault),
  });

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    stats.requests++;
    if (stats.firstRequestAt === 0) stats.firstRequestAt = Date.now();
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let finished = false;
    const done = () => {
      if (!finished) {
        finished = true;
        stats.inFlight--;
      }
    };
    const url = req.url ?? '/';
    const authHeader = req.headers['authorization'];
    const rec: RecordedRequest | undefined = record
      ? { method: req.method ?? 'GET', path: url, body: undefined, authorized: typeof authHeader === 'string', fault: undefined, status: 0, at: Date.now() }
      : undefined;
    if (rec) requests.push(rec);
    // before anything is answered: a test can act at an exact point (kill the client mid-request)
    handle.onRequest?.({ method: req.method ?? 'GET', path: url, n: stats.requests });
    if (opts.apiKey !== undefined && authHeader !== `Bearer ${opts.apiKey}`) {
      if (rec) rec.status = 401;
      // Like the real API, the message names no part of the key that was sent.
      error(res, 401, 'Incorrect API key provided. You can find your API key at your provider.', 'invalid_request_error');
      req.resume();
      return done();
    }
    if (req.method === 'GET' && url.startsWith('/v1/models')) {
      if (rec) rec.status = 200;
      send(res, 200, JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'synth-test' }] }));
      return done();
    }
    if (req.method === 'POST' && url.startsWith('/v1/chat/completions')) {
      const held = opts.hold?.(stats.requests);
      readBody(req).then(
        async (raw) => {
          if (held) await held.catch(() => undefined);
          handleChat(raw, res, rec, done);
        },
        () => done(),
      );
      return;
    }
    if (req.method === 'POST' && url.startsWith('/v1/images/generations')) {
      readBody(req).then(
        (raw) => handleImages(raw, res, rec, done),
        () => done(),
      );
      return;
    }
    if (batches.handle(req, url, res, done)) return;
    const img = req.method === 'GET' ? /^\/v1\/fake-images\/([0-9a-f]+)\.png$/.exec(url) : null;
    if (img && served.has(img[1]!)) {
      if (rec) rec.status = 200;
      const png = served.get(img[1]!)!;
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
      res.end(png);
      return done();
    }
    if (rec) rec.status = 404;
    error(res, 404, `Unknown request URL: ${req.method} ${url}.`, 'invalid_request_error');
    req.resume();
    done();
  });
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  Object.assign(handle, {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/v1`,
    port,
    requests,
    stats: () => ({ ...stats, faults: { ...stats.faults } }),
    batchStats: () => batches.stats(),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const r of hanging) r.destroy();
      hanging.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return handle;
}
