// How one failed HTTP attempt is classified, for every client of an OpenAI-compatible endpoint (chat, images,
// batch files). The kind decides the retry: transport faults back off (honouring Retry-After), content faults
// are retried at once, `client` (other 4xx) is not retried. `fatal` marks causes no retry can heal for any
// call (a wrong key, URL or model; nothing listening; an unknown host): the endpoint is then unusable (see
// health.ts). Each error also carries the `FailureCause` a failed row is reported with. Messages are scrubbed
// of the API key.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { synthError, type SynthError } from '../../base/diagnostics.js';
import type { FailureCause } from '../cause.js';
import { MIN_SECRET_LENGTH } from './cache.js';
import { retryAfterMs, type Scheduler } from './scheduler.js';
import type { ChatMessage, FailureKind, Usage } from './types.js';

/**
 * SYN5002: `call` (a chat `call`, an `image call` or a `batch call`) of row `row` to model `profile` failed after
 * `attempts` attempts (≥ 1) with `cause`, which the caller has scrubbed of the key. Worded once for all three.
 */
export function callFailed(profile: { id: string; model: string }, call: 'call' | 'image call' | 'batch call', row: string, attempts: number, cause: string): SynthError {
  return synthError('SYN5002', { model: profile.id, name: profile.model, call, row, attempts: `${attempts} attempt${attempts === 1 ? '' : 's'}`, cause });
}

/** Thrown inside an attempt; `kind` drives the retry decision. */
export class AttemptError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly retryAfterMs?: number,
    /** shown to the model on the next attempt (content faults of chat calls only) */
    readonly feedback?: ChatMessage[],
    readonly usage?: Usage,
    /** how a row that fails with this error is reported (absent: derived from kind and message) */
    readonly failure?: FailureCause,
  ) {
    super(message);
  }
  /** no call to this endpoint can succeed (see the header) */
  fatal = false;
  /** the endpoint answered (any HTTP status but a fatal one): it is reachable and takes the key */
  get answered(): boolean {
    return !this.fatal && this.kind !== 'network' && this.kind !== 'timeout' && this.kind !== 'server';
  }
  /** a refusal of the structured-output mode: retry in the (now simpler) current mode, spending no retry */
  modeRefused = false;
  /** a timed-out request may have been billed: keep its tpm reservation */
  get keepTokens(): boolean {
    return this.kind === 'timeout';
  }
  /** tokens the endpoint reported for this failed attempt (content faults), to correct the tpm reservation */
  get tokens(): number | undefined {
    return this.usage ? this.usage.prompt + this.usage.completion : undefined;
  }
}

export interface TransportContext {
  /** host[:port] of the endpoint, for messages (never the key, the path or the query) */
  host: string;
  scheduler: Scheduler;
  timeoutMs: number;
  apiKeyEnv?: string | undefined;
  signal?: AbortSignal | undefined;
  scrub: (text: string) => string;
}

/** Connection errors no retry heals: nothing listens there, the host does not exist, TLS cannot be trusted. */
const FATAL_CONNECTION: Record<string, string> = {
  ECONNREFUSED: 'connection refused — is the server running, and is base_url right?',
  ENOTFOUND: 'unknown host (DNS lookup failed) — check base_url',
  EAI_AGAIN: 'the host name could not be resolved (DNS) — check base_url and the network',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host',
};

/** A 429 that is not about the request rate: the account's quota or billing (OpenAI's error codes, and the
 *  message it sends with them). */
const PERMANENT_429 = /insufficient_quota|billing_hard_limit_reached|billing_not_active|access_terminated|exceeded your current quota/i;

/** A 400 about one row's content (too long, filtered), not about the request every row sends. */
const ROW_SPECIFIC_400 = /context[_ ]length|maximum context|too many tokens|string_above_max_length|content[_ ]policy|content[_ ]filter|safety|invalid_prompt/i;

/** The code of the error beneath a connection error (ECONNREFUSED, ENOTFOUND, …), if any. */
function errnoOf(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; x && depth < 4; x = x.cause as typeof x, depth++) {
    if (typeof x.code === 'string' && /^[A-Z_]+$/.test(x.code)) return x.code;
  }
  return undefined;
}

function fail(kind: FailureKind, message: string, failure: FailureCause, o: { retryAfterMs?: number; fatal?: boolean } = {}): AttemptError {
  const e = new AttemptError(kind, message, o.retryAfterMs, undefined, undefined, failure);
  e.fatal = o.fatal ?? false;
  return e;
}

/** Classifies an error from the openai client (or the fetch beneath it). Rethrows an abort (Ctrl-C). */
export function transportError(e: unknown, c: TransportContext): AttemptError {
  if (e instanceof APIUserAbortError || c.signal?.aborted) throw e;
  if (e instanceof APIConnectionTimeoutError) {
    c.scheduler.pushback('timeout');
    return fail('timeout', `no answer within ${c.timeoutMs} ms`, { kind: 'timeout', key: `timeout ${c.host}`, message: `no answer from ${c.host} within ${c.timeoutMs} ms (raise \`timeout\` if the model is slow)` });
  }
  if (e instanceof APIConnectionError) {
    const code = errnoOf(e.cause);
    const detail = c.scrub(String((e.cause as Error | undefined)?.message ?? e.message)).slice(0, 200);
    const fatal = code !== undefined && code in FATAL_CONNECTION;
    const what = fatal ? FATAL_CONNECTION[code!]! : `connection failed (${code ?? detail})`;
    return fail('network', `connection failed: ${detail}`, { kind: 'connection', key: `connection ${code ?? 'error'} ${c.host}`, message: `${c.host}: ${what}` }, { fatal });
  }
  if (e instanceof APIError) {
    const status = e.status ?? 0;
    const ra = retryAfterMs(e.headers);
    const msg = c.scrub(String(e.message)).slice(0, 300);
    const http = (hint = ''): FailureCause => ({ kind: 'http', key: `http ${status} ${c.host}`, message: `HTTP ${status} from ${c.host}${hint}: ${msg}` });
    const permanent = status === 429 ? PERMANENT_429.exec(`${String((e as { code?: unknown }).code ?? '')} ${String((e as { type?: unknown }).type ?? '')} ${msg}`) : null;
    if (permanent) {
      // the account, not the rate: no wait brings the quota back (the endpoint is unusable, health.ts)
      const code = /^[a-z_]+$/.test(permanent[0]) ? `: ${permanent[0]}` : '';
      return fail('client', `quota or billing exhausted (HTTP 429): ${msg}`, http(` (quota or billing exhausted${code} — check the account's plan and billing)`), { fatal: true });
    }
    if (status === 429) {
      c.scheduler.pushback('429');
      return fail('rate_limit', `rate limited (HTTP 429): ${msg}`, http(' (rate limited)'), ra !== undefined ? { retryAfterMs: ra } : {});
    }
    if (status >= 500 || status === 408 || status === 409) {
      if (status === 503 || status === 529 || status === 504) c.scheduler.pushback(String(status));
      return fail('server', `server error (HTTP ${status}): ${msg}`, http(), ra !== undefined ? { retryAfterMs: ra } : {});
    }
    if (status === 401 || status === 403) {
      const env = c.apiKeyEnv ? ` — check the key in $${c.apiKeyEnv}` : '';
      return fail('client', `authentication failed (HTTP ${status})${env}: ${msg}`, http(` (authentication failed${env})`), { fatal: true });
    }
    if (status === 404) return fail('client', `not found (HTTP 404): ${msg}`, http(' (not found — check base_url and the model name)'), { fatal: true });
    const rowSpecific = status === 400 && ROW_SPECIFIC_400.test(msg + ' ' + String((e as { code?: unknown }).code ?? ''));
    return fail('client', `request refused (HTTP ${status}): ${msg}`, http(' (request refused)'), { fatal: (status === 400 || status === 422) && !rowSpecific });
  }
  // A body that ends early or is not JSON surfaces from response.json() as a plain error.
  const m = e instanceof Error ? e.message : String(e);
  return fail('network', `bad response: ${c.scrub(m).slice(0, 200)}`, { kind: 'connection', key: `connection bad-response ${c.host}`, message: `${c.host}: the HTTP answer was cut off or not JSON` });
}

/** Removes the API key from any text that might be shown or stored (a key shorter than MIN_SECRET_LENGTH, such
 *  as `none`, is not a secret: blanking the word out of every message would only garble them). */
export function scrubber(secret: string): (text: string) => string {
  return (text) => (secret.length >= MIN_SECRET_LENGTH ? text.split(secret).join('***') : text);
}
