// The health of one model block's endpoint, shared by every client of that block (chat and images): it makes a
// broken endpoint cost seconds and a handful of requests, not minutes and hundreds.
//
// - **Probe first.** Until the endpoint has answered one request successfully, requests go one at a time: a
//   wrong key, URL or model then costs one request, not one per row in flight.
// - **Fail fast.** A cause that retrying cannot heal (HTTP 401/403, 404, a 400 that is not about one row,
//   connection refused, an unknown host, a TLS failure) makes the endpoint *unusable*: the call fails with
//   SYN5020, and so does every later call at once, without a request.
// - **Circuit breaker.** `maxConsecutiveFailures` requests in a row that fail (any cause but rate limiting,
//   which is the endpoint pacing us, not failing) trip the breaker: SYN5021, and every later call fails at
//   once, requests already queued included. One successful request resets the count.
import { synthError, type SynthError } from '../../base/diagnostics.js';
import type { FailureCause } from '../cause.js';

export interface EndpointHealthOptions {
  /** the model block's name, for messages */
  model: string;
  /** host[:port] of the endpoint, for messages */
  host: string;
  /** requests in a row that may fail before the breaker trips (the model's `max_consecutive_failures`) */
  maxConsecutiveFailures: number;
}

export class EndpointHealth {
  private answered = false;
  private probe: Promise<void> | undefined;
  private consecutive = 0;
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

  /** A request ended: a success resets the breaker, a failure counts towards it (and may trip it). */
  requestEnded(ok: boolean, failure?: FailureCause): void {
    if (ok) {
      this.consecutive = 0;
      return;
    }
    this.consecutive++;
    if (!this.stopped && this.consecutive >= this.o.maxConsecutiveFailures && failure) {
      const e = synthError('SYN5021', { model: this.o.model, count: this.consecutive, cause: failure.message });
      this.stopped = Object.assign(e, { failure });
    }
  }
}
