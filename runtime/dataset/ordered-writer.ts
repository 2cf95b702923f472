// The ordered writer: decides row indices strictly in index order, over rows produced concurrently, so a
// dataset's output is the same however its work was scheduled, resumed or sharded.
//
// For each index in order it takes the row's result — from the journal when it can be reused, else from a
// production started ahead of it — and hands it to `accept`, which decides it (written, duplicate, filtered,
// failed) and records it. It stops when the dataset has its rows (`written + failed` reach `target`: a failed
// row is a hole the next run fills, never replaced by another index), when the indices run out, or when asked
// to stop (a fatal cause, Ctrl-C, the budget, a provider batch still running): rows already produced are then
// still decided (their calls were paid for), and nothing after the first row that has no result.
//
// Two separate bounds, so that one slow row never idles the others:
//   - `concurrency`: productions in flight (started, not settled) — what the LLM scheduler is fed;
//   - the reorder window: results settled ahead of the row being decided wait in memory, up to `windowBytes`
//     (as `settled` sizes them). A row stuck in retries holds back only the decisions after it, not the
//     productions: they go on until the window is full.
// Each result is handed to `settled` as soon as it settles, in whatever order (the executor journals it there,
// so what was made is kept even if the run stops before deciding it).
//
// It never produces more rows than could still be needed: each row produced and not yet decided, and each
// reusable row ahead, may pass. No file work happens here.

/** What `accept` made of a row: it counts towards the target as written or failed, or not at all (dropped:
 *  duplicate or filtered, so a `count` dataset draws another index). `stop`: stop scheduling (why). */
export interface Accepted {
  counted: 'written' | 'failed' | 'dropped';
  /** how much it counts towards the target (default 1): the rows a group wrote, when the target counts rows */
  units?: number;
  stop?: string;
}

export interface OrderedWriterOptions<R> {
  /** indices are 0 … maxIndex-1 */
  maxIndex: number;
  /** rows to write (written + failed); undefined: every index */
  target: number | undefined;
  /** is index i this shard's? (others are skipped) */
  inShard: (i: number) => boolean;
  /** productions in flight (started and not yet settled) at most */
  concurrency: number;
  /** bytes of settled results waiting for their turn, at most (default REORDER_WINDOW_BYTES) */
  windowBytes?: number;
  /** the journal's result for row i when it can be reused as it is, else undefined */
  reuse: (i: number) => R | undefined;
  /** makes row i: a promise, or the result itself when it needs no waiting (rows without prompt calls) */
  produce: (i: number) => R | Promise<R>;
  /** told of each produced result as it settles, in any order; returns its size in bytes (charged to the
   *  reorder window until the row is decided). An error it throws stops the writer, which rethrows it. */
  settled?: (i: number, r: R) => number;
  /** decides row i, in index order; a row answered in a later run (a provider batch) returns `{ deferred }`:
   *  the writer stops there, deciding nothing for it */
  accept: (i: number, r: R, reused: boolean) => Accepted | { deferred: string };
  /** asked after each decided row: a reason to stop, or undefined */
  shouldStop: () => string | undefined;
}

export interface WriterEnd {
  /** the last index decided (-1: none) */
  processedThrough: number;
  /** every index up to maxIndex was decided */
  exhausted: boolean;
  /** why the writer stopped before the dataset had its rows, if it did */
  stopped: string | undefined;
  /** the writer stopped at a row whose answer comes in a later run */
  deferred: boolean;
}

/** Settled results held for the decision in order, by default: 32 MiB of their journal lines (a row stuck in
 *  retries for a minute at 1,000 rows/s holds about 60,000 rows of a few hundred bytes behind it). */
export const REORDER_WINDOW_BYTES = 32 * 1024 * 1024;
/** Reusable rows looked at ahead of the decision at most (each is judged, and its result kept, when passed):
 *  enough to start new rows' calls long before the decisions reach them, without holding a whole rerun. */
const MAX_REUSABLE_AHEAD = 8192;
/** What a result counts against the window when `settled` does not size it. */
const DEFAULT_SIZE = 1024;

/** A row produced or being produced; `now`: it was made synchronously (see `start`). */
type Slot<R> = { done: false } | { done: true; ok: true; r: R; size: number; now: boolean } | { done: true; ok: false; error: unknown; now: boolean };

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** Decisions between two turns given to the event loop (about a millisecond of rows made at once). */
const YIELD_EVERY = 512;

export async function writeInOrder<R>(o: OrderedWriterOptions<R>): Promise<WriterEnd> {
  const windowBytes = o.windowBytes ?? REORDER_WINDOW_BYTES;
  /** rows produced (or being produced) and not yet decided */
  const started = new Map<number, Slot<R>>();
  let inFlight = 0; // productions not yet settled
  let madeAtOnce = 0; // rows made synchronously, not yet decided (they count as in flight)
  let buffered = 0; // bytes of settled results not yet decided
  let next = 0; // next index to consider for production
  let at = 0; // next index to decide
  let counted = 0; // written + failed
  let reusableAhead = 0; // reusable rows between `at` and `next`
  let stopped: string | undefined;
  let deferred = false;
  let failure: { error: unknown } | undefined; // `settled` threw (a journal write error): stop everything
  let wake: (() => void) | undefined; // the decision loop, waiting for row `at` to settle
  let draining = false; // the loop ended: start nothing more, wait for what is in flight
  const reached = () => o.target !== undefined && counted >= o.target;
  let sinceYield = 0; // decisions since the loop last gave the event loop a turn

  const schedule = () => {
    while (
      inFlight + madeAtOnce < o.concurrency &&
      buffered < windowBytes &&
      next < o.maxIndex &&
      reusableAhead < MAX_REUSABLE_AHEAD &&
      stopped === undefined &&
      !draining &&
      failure === undefined &&
      (o.target === undefined || counted + started.size + reusableAhead < o.target)
    ) {
      const i = next++;
      if (!o.inShard(i)) continue;
      if (o.reuse(i) !== undefined) {
        reusableAhead++;
        continue;
      }
      start(i);
    }
  };

  const start = (i: number) => {
    let made: R | Promise<R>;
    try {
      made = o.produce(i);
    } catch (error) {
      // thrown when the row is decided, so the rows before it are decided first
      started.set(i, { done: true, ok: false, error, now: true });
      madeAtOnce++;
      return;
    }
    if (!isPromise(made)) {
      // Made at once (a row without prompt calls): it holds its slot until it is decided, so such rows are made
      // one window at a time, just ahead of the decisions, with no promise per row.
      started.set(i, { done: true, ok: true, r: made, size: record(i, made), now: true });
      madeAtOnce++;
      return;
    }
    inFlight++;
    started.set(i, { done: false });
    made.then(
      (r) => {
        inFlight--;
        const size = record(i, r);
        buffered += size;
        started.set(i, { done: true, ok: true, r, size, now: false });
        settle(i);
      },
      (error: unknown) => {
        inFlight--;
        started.set(i, { done: true, ok: false, error, now: false });
        settle(i);
      },
    );
  };

  /** Hands a result to `settled` (once); returns what it costs the window. */
  const record = (i: number, r: R): number => {
    if (failure !== undefined || !o.settled) return DEFAULT_SIZE;
    try {
      return o.settled(i, r);
    } catch (e) {
      failure = { error: e };
      return DEFAULT_SIZE;
    }
  };

  /** Row i settled: the decision loop goes on if it waits for i (or must stop); a free slot is filled. */
  const settle = (i: number) => {
    if (wake && (i === at || failure || draining)) {
      const w = wake;
      wake = undefined;
      w();
    }
    schedule();
  };

  try {
    schedule();
    while (at < o.maxIndex && !reached()) {
      if (failure) throw failure.error;
      if (!o.inShard(at)) {
        at++;
        continue;
      }
      let r: R;
      let reused = false;
      const slot = started.get(at);
      if (slot === undefined && at < next) {
        const kept = o.reuse(at);
        if (kept === undefined) break; // not produced (stopped before it): nothing after the first row without a result
        r = kept;
        reused = true;
        reusableAhead--;
      } else if (slot === undefined) {
        if (stopped !== undefined) break;
        schedule();
        if (at >= next) break; // nothing more may be produced (the target is covered by rows in flight)
        continue;
      } else if (!slot.done) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      } else {
        started.delete(at);
        if (slot.now) madeAtOnce--;
        if (!slot.ok) throw slot.error;
        if (!slot.now) buffered -= slot.size;
        r = slot.r;
      }
      const a = o.accept(at, r, reused);
      if ('deferred' in a) {
        deferred = true;
        stopped ??= a.deferred;
        break;
      }
      if (a.counted !== 'dropped') counted += a.units ?? 1;
      at++;
      // Rows made at once never await: without a turn of the event loop now and then, a SIGINT handler (Ctrl-C),
      // a progress timer or a stream's drain would wait until the whole dataset is written.
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      stopped ??= a.stop ?? o.shouldStop();
      if (stopped === undefined) schedule();
    }
  } finally {
    // Start nothing more, and let rows in flight settle (their LLM answers land in the cache, their results in
    // the journal, for the next run).
    draining = true;
    while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  }
  if (failure) throw failure.error;
  return { processedThrough: at - 1, exhausted: at >= o.maxIndex, stopped: reached() ? undefined : stopped, deferred };
}
