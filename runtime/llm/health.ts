// The health of one model block's endpoint, shared by every client of that block (chat and images): it makes a
// broken endpoint cost seconds and a handful of requests, not minutes and hundreds.
//
// - **Probe first.** Until the endpoint has answered one request successfully, requests go one at a time: a
//   wrong key, URL or model then costs one request, not one per row in flight.
// - **Fail fast.** A cause that retrying cannot heal (HTTP 401/403, 404, a 400 that is not about one row,
//   connection refused, an unknown host, a TLS failure) makes the endpoint *unusable*: the call fails with
//   SYN5020, and so does every later call at once, without a request.
//   A 429 whose error code says the account's quota or billing is exhausted (`insufficient_quota`,
//   `billing_hard_limit_reached`; faults.ts) is such a cause too: no wait brings the quota back.
// - **No answer at all.** While the endpoint has never answered in this run, requests go one at a time (above);
//   when as many of them in a row as one call may attempt (1 + `retries`) got no HTTP answer (timeouts, dropped
//   connections), it is unusable too (SYN5020, "no answer from HOST within …"): an endpoint that accepts
//   connections but never answers costs one call's attempts, not one per row.
// - **Circuit breaker.** `maxConsecutiveFailures` requests in a row that fail (any cause but rate limiting)
//   trip the breaker: SYN5021, and every later call fails at once, requests already queued included. A 429
//   with Retry-After is the endpoint pacing us and never counts; a 429 without one counts towards a separate,
//   larger limit (RATE_LIMIT_FACTOR × the breaker's), so an endpoint that only ever answers 429 stops the
//   dataset instead of being retried forever. One successful request resets both counts.
import { synthError, type SynthError } from '../../base/diagnostics.js';
import type { FailureCause } from '../cause.js';
import type { FailureKind } from './types.js';

export interface EndpointHealthOptions {
  /** the model block's name, for messages */
  model: string;
  /** host[:port] of the endpoint, for messages */
  host: string;
  /** requests in a row that may fail before the breaker trips (the model's `max_consecutive_failures`) */
  maxConsecutiveFailures: number;
}

/** 429s without Retry-After in a row that trip the breaker, as a multiple of `maxConsecutiveFailures` (100 at
 *  the default 20): far beyond any burst a rate-limited endpoint sends while it recovers. */
export const RATE_LIMIT_FACTOR = 5;

export class EndpointHealth {
  private answered = false;
  private probe: Promise<void> | undefined;
  private consecutive = 0;
  private rateLimited = 0;
  /** requests in a row without an HTTP answer, before the endpoint first answered */
  private unanswered = 0;
  /** set once the endpoint is unusable or the breaker tripped: every later call throws it */
  private stopped: (SynthError & { failure?: FailureCause }) | undefined;

  constructor(readonly o: EndpointHealthOptions) {}

  /** The error every call now fails with, if the endpoint is unusable or the breaker tripped. */
  get error(): (SynthError & { failure?: FailureCause }) | undefined {
    return this.stopped;
  }

  /** Throws the stopping error, if any. Called before every request. */
  check(): void {
    if (this.stopped) throw this.stopped;
  }

  /**
   * Admits one request: at once when the endpoint has answered before; otherwise after the request in flight
   * (the probe) settles. Returns `done`, to be called with whether the endpoint answered (any HTTP answer
   * that is not a fatal error counts: the endpoint is reachable and takes the key).
   */
  async admit(): Promise<(answered: boolean) => void> {
    for (;;) {
      this.check();
      if (this.answered) return () => undefined;
      if (!this.probe) break;
      await this.probe;
    }
    let release!: () => void;
    this.probe = new Promise<void>((r) => (release = r));
    return (answered) => {
      if (answered) this.answered = true;
      this.probe = undefined;
      release();
    };
  }

  /** The endpoint cannot serve any call (see the header): remember why, and fail every later call with it. */
  unusable(failure: FailureCause, dataset?: string): SynthError & { failure?: FailureCause } {
    if (!this.stopped) {
      const e = synthError('SYN5020', { model: this.o.model, cause: failure.message });
      this.stopped = Object.assign(e, { failure, ...(dataset ? { dataset } : {}) });
    }
    return this.stopped;
  }

  /** Whether the endpoint has answered a request in this run (any answer that is not a fatal error). */
  get hasAnswered(): boolean {
    return this.answered;
  }

  /**
   * A request ended: a success resets the breaker, a failure counts towards it (and may trip it). `rateLimit`:
   * the failure was a 429 — `paced` (with Retry-After: never counted) or `unpaced` (counted towards the larger
   * rate-limit limit, see the header).
   */
  requestEnded(ok: boolean, failure?: FailureCause, rateLimit?: 'paced' | 'unpaced'): void {
    if (ok) {
      this.answered = true;
      this.consecutive = 0;
      this.rateLimited = 0;
      return;
    }
    if (rateLimit === 'paced') return;
    const count = rateLimit === 'unpaced' ? ++this.rateLimited : ++this.consecutive;
    const limit = rateLimit === 'unpaced' ? this.o.maxConsecutiveFailures * RATE_LIMIT_FACTOR : this.o.maxConsecutiveFailures;
    if (!this.stopped && count >= limit && failure) {
      const e = synthError('SYN5021', { model: this.o.model, count, cause: failure.message });
      this.stopped = Object.assign(e, { failure });
    }
  }

  /**
   * A request failed (not fatally: the caller makes a fatal cause `unusable`). Counts it towards the breaker
   * (a 429: by whether it said when to come back), and while the endpoint has never answered, a request without
   * an HTTP answer (a timeout, a dropped connection) counts towards `attemptsPerCall` — the attempts one call
   * may make: once that many requests in a row got no answer, the endpoint is unusable (SYN5020 with `failure`).
   */
  requestFailed(e: { kind: FailureKind; retryAfterMs?: number | undefined }, failure: FailureCause, attemptsPerCall: number): void {
    this.requestEnded(false, failure, e.kind === 'rate_limit' ? (e.retryAfterMs !== undefined ? 'paced' : 'unpaced') : undefined);
    if (this.answered || (e.kind !== 'timeout' && e.kind !== 'network')) return;
    if (++this.unanswered >= attemptsPerCall) this.unusable(failure);
  }
}
