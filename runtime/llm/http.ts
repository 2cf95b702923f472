// The `fetch` the openai client is given: keep-alive connections from an undici Agent, so a thousand requests in
// flight reuse a thousand warm sockets instead of opening (and TIME_WAITing) new ones.
//
// Two flavours:
//  - 'light' (default): a small fetch built on undici's `dispatcher.request()`. It reads the whole body and hands
//    the SDK a standard `Response` made from it. This skips the WHATWG-streams machinery of fetch, which is most
//    of the client-side CPU per call at high concurrency (see bench/RESULTS.md, "LLM client").
//  - 'fetch': undici's own `fetch` with the same Agent as dispatcher (the fully standard path).
// Both honour the abort signal the SDK uses for timeouts.
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

function plainHeaders(h: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) {
    h.forEach((v, k) => {
      out[k] = v;
    });
  } else if (Array.isArray(h)) {
    for (const [k, v] of h) out[k.toLowerCase()] = v;
  } else for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function responseHeaders(h: Record<string, string | string[] | undefined>): Headers {
  const out = new Headers();
  for (const k in h) {
    const v = h[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.append(k, x);
    else out.append(k, v);
  }
  return out;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

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
  const light = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : new URL(input.url);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new TypeError('keepAliveFetch: only string or bytes request bodies are supported');
    }
    const res = await agent.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: plainHeaders(init.headers),
      body: (body ?? undefined) as string | Uint8Array | undefined,
      signal: signal as AbortSignal | undefined,
    });
    const bytes = NULL_BODY.has(res.statusCode) ? null : await res.body.arrayBuffer();
    if (bytes === null) res.body.resume();
    const r = new Response(bytes, { status: res.statusCode, headers: responseHeaders(res.headers) });
    Object.defineProperty(r, 'url', { value: url.href });
    return r;
  };
  return { fetch: light as unknown as typeof globalThis.fetch, agent, close: () => agent.close() };
}
