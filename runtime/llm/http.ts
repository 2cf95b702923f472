// The `fetch` the openai client is given: keep-alive connections from an undici Agent, so a thousand requests in
// flight reuse a thousand warm sockets instead of opening (and TIME_WAITing) new ones.
//
// Two flavours:
//  - 'light' (default): a small fetch on undici's `dispatch()` with a handler that collects the body bytes, and
//    a minimal Response (status, headers.get/entries, text(), json()) — the part of the Fetch API the openai
//    client uses for JSON endpoints. It skips WHATWG streams, Headers and Response objects, which are most of the
//    client-side CPU per call at high concurrency (see bench/RESULTS.md, "LLM client"). Request bodies must be
//    strings or bytes (the openai client sends JSON strings); streaming responses are not supported.
//  - 'fetch': undici's own `fetch` with the same Agent as dispatcher (the fully standard path).
// Both honour the abort signal the openai client uses for its timeouts (an abort rejects with an AbortError).
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';

export interface KeepAliveOptions {
  /** max sockets per origin (default: unlimited; the scheduler bounds requests in flight) */
  connections?: number;
  keepAliveTimeoutMs?: number;
  flavour?: 'light' | 'fetch';
}

export interface KeepAliveFetch {
  fetch: typeof globalThis.fetch;
  agent: Agent;
  close(): Promise<void>;
}

type RawHeaders = Record<string, string | string[] | undefined>;

/** The read side of `Headers`, over undici's parsed header object (keys already lower-case). */
export class LightHeaders {
  constructor(private readonly h: RawHeaders) {}
  get(name: string): string | null {
    const v = this.h[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.h[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.h).sort()) {
      const v = this.get(k);
      if (v !== null) yield [k, v];
    }
  }
  keys(): IterableIterator<string> {
    return Object.keys(this.h).sort()[Symbol.iterator]();
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(fn: (value: string, key: string, parent: LightHeaders) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** What the openai client reads of a `Response` for JSON endpoints. */
export class LightResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  readonly body = null;
  bodyUsed = false;
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: LightHeaders,
    private readonly bytes: Buffer,
    readonly url: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }
  private take(): Buffer {
    if (this.bodyUsed) throw new TypeError('Body has already been read');
    this.bodyUsed = true;
    return this.bytes;
  }
  async text(): Promise<string> {
    return this.take().toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.take().toString('utf8'));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
  clone(): LightResponse {
    return new LightResponse(this.status, this.statusText, this.headers, this.bytes, this.url);
  }
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name === 'AbortError') return r;
  return new DOMException('This operation was aborted', 'AbortError');
}

function plainHeaders(h: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) {
    h.forEach((v, k) => {
      out[k] = v;
    });
  } else if (Array.isArray(h)) {
    for (const [k, v] of h) out[k.toLowerCase()] = v;
  } else for (const k of Object.keys(h)) out[k.toLowerCase()] = (h as Record<string, string>)[k]!;
  return out;
}

/** Splits an absolute http(s) URL into origin and path without building a URL object. */
function splitUrl(u: string): { origin: string; path: string } {
  const scheme = u.indexOf('://');
  if (scheme < 0) {
    const x = new URL(u);
    return { origin: x.origin, path: x.pathname + x.search };
  }
  const slash = u.indexOf('/', scheme + 3);
  return slash < 0 ? { origin: u, path: '/' } : { origin: u.slice(0, slash), path: u.slice(slash) };
}

export function lightFetch(agent: Dispatcher): typeof globalThis.fetch {
  const f = (input: string | URL | Request, init: RequestInit = {}): Promise<LightResponse> => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(new TypeError('lightFetch: only string or byte request bodies are supported'));
    }
    const { origin, path } = splitUrl(href);
    return new Promise<LightResponse>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let statusText = '';
      let headers: RawHeaders = {};
      const chunks: Buffer[] = [];
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        controller?.abort(abortError(signal!));
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
          if (settled) c.abort(abortError(signal!));
        },
        onResponseStart(_c, statusCode, h, message) {
          status = statusCode;
          headers = h as RawHeaders;
          statusText = message ?? '';
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          if (settled) return;
          done();
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve(new LightResponse(status, statusText, new LightHeaders(headers), bytes, href));
        },
        onResponseError(_c, err) {
          if (settled) return;
          done();
          reject(err);
        },
      };
      try {
        agent.dispatch(
          { origin, path, method: (init.method ?? 'GET') as Dispatcher.HttpMethod, headers: plainHeaders(init.headers), body: (body ?? null) as string | Uint8Array | null },
          handler,
        );
      } catch (e) {
        done();
        reject(e as Error);
      }
    });
  };
  return f as unknown as typeof globalThis.fetch;
}

export function keepAliveFetch(o: KeepAliveOptions = {}): KeepAliveFetch {
  const agent = new Agent({
    keepAliveTimeout: o.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: Math.max(o.keepAliveTimeoutMs ?? 30_000, 60_000),
    ...(o.connections ? { connections: o.connections } : {}),
    pipelining: 1,
  });
  if (o.flavour === 'fetch') {
    const f = ((input: string | URL | Request, init?: RequestInit) =>
      undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1])) as unknown as typeof globalThis.fetch;
    return { fetch: f, agent, close: () => agent.close() };
  }
  return { fetch: lightFetch(agent), agent, close: () => agent.close() };
}
