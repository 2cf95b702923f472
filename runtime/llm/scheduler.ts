// Admission control for one model endpoint: requests in flight (concurrency), requests per minute (rpm) and
// tokens per minute (tpm), enforced together, plus adaptive concurrency (AIMD) and retry backoff.
//
// - Concurrency is a FIFO semaphore (slots.ts) whose limit moves: it drops multiplicatively (×0.7, at most once
//   per cooldown) when the endpoint pushes back (429, 503, timeouts) and climbs back (+10 % after a full window
//   of successes) up to the declared `concurrency`.
// - rpm and tpm are token buckets refilled continuously (rpm/60 and tpm/60 per second) with one second of burst,
//   so any 60 s window sees at most the declared rate plus one second's worth. A call reserves its estimated
//   tokens (prompt + max completion) before it starts; after it, the bucket is corrected with the true usage
//   the endpoint reported. A call larger than the burst runs when the bucket is full and leaves it in debt.
//   Waiters are served first come, first served.
// - Backoff: exponential with jitter (base × 2^attempt, capped, random in [½, 1]) — or, when the endpoint says
//   Retry-After / retry-after-ms, exactly that long plus up to 10 % jitter (never less than it asked).
import { Slots } from './slots.js';
import type { LlmEvent } from './types.js';

export interface SchedulerOptions {
  concurrency: number;
  rpm?: number;
  tpm?: number;
  /** lower bound of adaptive concurrency (default 1) */
  minConcurrency?: number;
  /** adapt concurrency to pushback (default true) */
  adaptive?: boolean;
  /** minimum time between two decreases, ms (default 1000): one burst of 429s counts once */
  decreaseCooldownMs?: number;
  /** first backoff step, ms (default 500) and cap (default 30 000) */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  onEvent?: (e: LlmEvent) => void;
  /** clock, for tests */
  now?: () => number;
}

/** Continuously refilled bucket with a FIFO of waiters. */
export class TokenBucket {
  private level: number;
  private last: number;
  private readonly queue: Array<{ n: number; resolve: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  readonly capacity: number;
  readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, perMinute / 60);
    this.level = this.capacity;
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.capacity, this.level + (t - this.last) * this.perMs);
    this.last = t;
  }

  /** Current level (may be negative: debt after an under-estimate). */
  available(): number {
    this.refill();
    return this.level;
  }

  /** Waits until `n` units are available (or the bucket is full, for n > capacity), then takes them. */
  take(n: number): Promise<void> {
    this.refill();
    if (this.queue.length === 0 && this.level >= Math.min(n, this.capacity)) {
      this.level -= n;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.queue.push({ n, resolve });
      this.pump();
    });
  }

  /** Returns units (positive: refund of an over-estimate) or charges more (negative: under-estimate). */
  adjust(delta: number): void {
    this.refill();
    this.level = Math.min(this.capacity, this.level + delta);
    if (delta > 0) this.pump();
  }

  private pump(): void {
    this.refill();
    while (this.queue.length) {
      const head = this.queue[0]!;
      const need = Math.min(head.n, this.capacity);
      if (this.level < need) {
        if (!this.timer) {
          const wait = Math.max(1, Math.ceil((need - this.level) / this.perMs));
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, wait);
        }
        return;
      }
      this.queue.shift();
      this.level -= head.n;
      head.resolve();
    }
  }

  get waiting(): number {
    return this.queue.length;
  }
}

export class Scheduler {
  private readonly slots: Slots;
  private readonly rpm: TokenBucket | undefined;
  private readonly tpm: TokenBucket | undefined;
  private readonly max: number;
  private readonly min: number;
  private readonly adaptive: boolean;
  private readonly cooldown: number;
  private readonly now: () => number;
  private lastDecrease = -Infinity;
  private successes = 0;
  readonly stats = { decreases: 0, increases: 0, pushbacks: 0, minLimit: 0 };

  constructor(private readonly o: SchedulerOptions) {
    this.max = Math.max(1, Math.floor(o.concurrency));
    this.min = Math.max(1, Math.min(this.max, o.minConcurrency ?? 1));
    this.slots = new Slots(this.max);
    this.now = o.now ?? Date.now;
    this.rpm = o.rpm ? new TokenBucket(o.rpm, this.now) : undefined;
    this.tpm = o.tpm ? new TokenBucket(o.tpm, this.now) : undefined;
    this.adaptive = o.adaptive ?? true;
    this.cooldown = o.decreaseCooldownMs ?? 1000;
    this.stats.minLimit = this.max;
  }

  /** The concurrency limit in force now (≤ the declared one). */
  get limit(): number {
    return this.slots.limit;
  }
  get inFlight(): number {
    return this.slots.inFlight;
  }
  get queued(): number {
    return this.slots.pending;
  }
  /** true when tokens per minute are limited, i.e. callers should estimate tokens before each call */
  get needsTokenEstimate(): boolean {
    return this.tpm !== undefined;
  }

  /**
   * Runs `fn` once a concurrency slot and the rate budget (1 request, `estTokens` tokens) are available.
   * `fn` returns its result plus the true token usage (if known). A thrown error refunds the reservation, or
   * charges its `tokens` property if it has one, or keeps it if its `keepTokens` property is true.
   */
  run<T>(estTokens: number, fn: () => Promise<{ result: T; tokens?: number }>): Promise<T> {
    const wait = this.slots.acquire();
    return wait ? wait.then(() => this.admitted(estTokens, fn)) : this.admitted(estTokens, fn);
  }

  /** `run` once it holds a concurrency slot: the rate budget, then `fn`; the slot is given back however it ends. */
  private async admitted<T>(estTokens: number, fn: () => Promise<{ result: T; tokens?: number }>): Promise<T> {
    try {
      if (this.rpm) await this.rpm.take(1);
      if (this.tpm) await this.tpm.take(estTokens);
      try {
        const { result, tokens } = await fn();
        if (this.tpm && tokens !== undefined) this.tpm.adjust(estTokens - tokens);
        return result;
      } catch (e) {
        // A refused request (429/5xx) spent no tokens; an answer that failed validation spent what the endpoint
        // reported; a timeout may have spent its whole reservation.
        if (this.tpm) {
          const info = (e ?? {}) as { keepTokens?: boolean; tokens?: number };
          if (typeof info.tokens === 'number') this.tpm.adjust(estTokens - info.tokens);
          else if (!info.keepTokens) this.tpm.adjust(estTokens);
        }
        throw e;
      }
    } finally {
      this.slots.release();
    }
  }

  /** The endpoint pushed back (429, 503, timeout): shrink concurrency, at most once per cooldown. */
  pushback(reason: string): void {
    this.stats.pushbacks++;
    this.successes = 0;
    if (!this.adaptive) return;
    const t = this.now();
    if (t - this.lastDecrease < this.cooldown) return;
    this.lastDecrease = t;
    const next = Math.max(this.min, Math.floor(this.slots.limit * 0.7));
    if (next < this.slots.limit) {
      this.slots.limit = next;
      this.stats.decreases++;
      this.stats.minLimit = Math.min(this.stats.minLimit, next);
      this.o.onEvent?.({ type: 'concurrency', limit: next, reason });
    }
  }

  /** A request succeeded: after a full window of successes, grow concurrency back by 10 %. */
  success(): void {
    if (!this.adaptive || this.slots.limit >= this.max) return;
    if (++this.successes < this.slots.limit) return;
    this.successes = 0;
    const next = Math.min(this.max, this.slots.limit + Math.max(1, Math.round(this.slots.limit * 0.1)));
    this.slots.limit = next;
    this.stats.increases++;
    this.o.onEvent?.({ type: 'concurrency', limit: next, reason: 'recovered' });
  }

  /** Delay before retry number `attempt` (1 = first retry). `retryAfterMs` from the response wins. */
  backoff(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
      return Math.ceil(retryAfterMs + Math.random() * Math.min(1000, retryAfterMs * 0.1));
    }
    const base = this.o.backoffBaseMs ?? 500;
    const cap = this.o.backoffMaxMs ?? 30_000;
    const d = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
    return Math.ceil(d / 2 + Math.random() * (d / 2));
  }
}

/** Parses Retry-After (seconds or HTTP date) and retry-after-ms; undefined when absent or unusable. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms) {
    const v = Number.parseFloat(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const ra = headers.get('retry-after');
  if (ra) {
    const s = Number(ra.trim());
    if (Number.isFinite(s) && s >= 0) return s * 1000;
    const d = Date.parse(ra);
    if (Number.isFinite(d)) return Math.max(0, d - now);
  }
  return undefined;
}
