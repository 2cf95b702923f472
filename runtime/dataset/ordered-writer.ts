// The ordered writer: decides row indices strictly in index order, over a window of rows produced concurrently,
// so a dataset's output is the same however its work was scheduled, resumed or sharded.
//
// For each index in order it takes the row's result — from the journal when it can be reused, else from a
// production started ahead of it — and hands it to `accept`, which decides it (written, duplicate, filtered,
// failed) and records it. It stops when the dataset has its rows (`written + failed` reach `target`: a failed
// row is a hole the next run fills, never replaced by another index), when the indices run out, or when asked
// to stop (a fatal cause, Ctrl-C, the budget, a provider batch still running): rows already in flight are then
// still decided (their calls were paid for), and nothing after the first row that has no result.
//
// It never produces more rows than could still be needed: each row in flight, and each reusable row ahead, may
// pass. No file work happens here.

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
  /** rows produced at once */
  concurrency: number;
  /** the journal's result for row i when it can be reused as it is, else undefined */
  reuse: (i: number) => R | undefined;
  produce: (i: number) => Promise<R>;
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

export async function writeInOrder<R>(o: OrderedWriterOptions<R>): Promise<WriterEnd> {
  const pending = new Map<number, Promise<R>>();
  let next = 0; // next index to consider for production
  let at = 0; // next index to decide
  let counted = 0; // written + failed
  let reusableAhead = 0; // reusable rows between `at` and `next`
  let stopped: string | undefined;
  let deferred = false;
  const reached = () => o.target !== undefined && counted >= o.target;

  const schedule = () => {
    while (pending.size < o.concurrency && next < o.maxIndex && stopped === undefined && (o.target === undefined || counted + pending.size + reusableAhead < o.target)) {
      const i = next++;
      if (!o.inShard(i)) continue;
      if (o.reuse(i) !== undefined) {
        reusableAhead++;
        continue;
      }
      const p = o.produce(i);
      p.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
      pending.set(i, p);
    }
  };

  try {
    schedule();
    while (at < o.maxIndex && !reached()) {
      if (!o.inShard(at)) {
        at++;
        continue;
      }
      let r: R | undefined;
      let reused = false;
      if (at < next && !pending.has(at)) {
        r = o.reuse(at);
        reused = r !== undefined;
        if (reused) reusableAhead--;
      } else if (at >= next && stopped === undefined) {
        schedule();
        if (at >= next) break; // nothing more may be produced (the target is covered by rows in flight)
        continue;
      }
      if (r === undefined) {
        const p = pending.get(at);
        if (!p) break; // stopped: nothing after the first row without a result
        r = await p;
        pending.delete(at);
      }
      const a = o.accept(at, r, reused);
      if ('deferred' in a) {
        deferred = true;
        stopped ??= a.deferred;
        break;
      }
      if (a.counted !== 'dropped') counted += a.units ?? 1;
      at++;
      stopped ??= a.stop ?? o.shouldStop();
      if (stopped === undefined) schedule();
    }
  } finally {
    // Let rows in flight settle (their LLM answers land in the cache for the next run).
    await Promise.allSettled(pending.values());
  }
  return { processedThrough: at - 1, exhausted: at >= o.maxIndex, stopped: reached() ? undefined : stopped, deferred };
}
