// How one failed HTTP attempt is classified, for every client of an OpenAI-compatible endpoint (chat, images,
// batch files). The kind decides the retry: transport faults back off (honouring Retry-After), content faults
// are retried at once, `client` (other 4xx) is not retried. Messages are scrubbed of the API key.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { retryAfterMs, type Scheduler } from './scheduler.js';
import type { ChatMessage, FailureKind, Usage } from './types.js';

/** Thrown inside an attempt; `kind` drives the retry decision. */
export class AttemptError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly retryAfterMs?: number,
    /** shown to the model on the next attempt (content faults of chat calls only) */
    readonly feedback?: ChatMessage[],
    readonly usage?: Usage,
  ) {
    super(message);
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
  scheduler: Scheduler;
  timeoutMs: number;
  apiKeyEnv?: string | undefined;
  signal?: AbortSignal | undefined;
  scrub: (text: string) => string;
}

/** Classifies an error from the openai client (or the fetch beneath it). Rethrows an abort (Ctrl-C). */
export function transportError(e: unknown, c: TransportContext): AttemptError {
  if (e instanceof APIUserAbortError || c.signal?.aborted) throw e;
  if (e instanceof APIConnectionTimeoutError) {
    c.scheduler.pushback('timeout');
    return new AttemptError('timeout', `no answer within ${c.timeoutMs} ms`);
  }
  if (e instanceof APIConnectionError) return new AttemptError('network', `connection failed: ${c.scrub(String((e.cause as Error | undefined)?.message ?? e.message)).slice(0, 200)}`);
  if (e instanceof APIError) {
    const status = e.status ?? 0;
    const ra = retryAfterMs(e.headers);
    const msg = c.scrub(String(e.message)).slice(0, 300);
    if (status === 429) {
      c.scheduler.pushback('429');
      return new AttemptError('rate_limit', `rate limited (HTTP 429): ${msg}`, ra);
    }
    if (status >= 500 || status === 408 || status === 409) {
      if (status === 503 || status === 529 || status === 504) c.scheduler.pushback(String(status));
      return new AttemptError('server', `server error (HTTP ${status}): ${msg}`, ra);
    }
    if (status === 401 || status === 403) {
      const env = c.apiKeyEnv ? ` — check the key in $${c.apiKeyEnv}` : '';
      return new AttemptError('client', `authentication failed (HTTP ${status})${env}: ${msg}`);
    }
    return new AttemptError('client', `request refused (HTTP ${status}): ${msg}`);
  }
  // A body that ends early or is not JSON surfaces from response.json() as a plain error.
  const m = e instanceof Error ? e.message : String(e);
  return new AttemptError('network', `bad response: ${c.scrub(m).slice(0, 200)}`);
}

/** Removes the API key from any text that might be shown or stored. */
export function scrubber(secret: string): (text: string) => string {
  return (text) => (secret && secret.length >= 4 ? text.split(secret).join('***') : text);
}
