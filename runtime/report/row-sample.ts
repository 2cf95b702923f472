// A seeded uniform random sample of k rows from a stream of unknown length, in O(k) memory: each row gets a
// priority that is a pure function of (seed, row index) — the counter-based draw of compiler/plan/random.ts —
// and the k rows of smallest priority are kept (bottom-k sampling; Cohen & Kaplan, "Summarizing data using
// bottom-k sketches", PODC 2007). The sample is the same for the same seed and file however it is read, and
// every k-subset of rows is equally likely.
import { hashString, uniformAt } from '../../compiler/plan/random.js';

const STREAM = hashString('synth report: row sample');

/** The priority of row `index` under `seed`: uniform in [0, 1). Rows with the smallest priorities are sampled. */
export function rowPriority(seed: number, index: number): number {
  return uniformAt(seed, STREAM, index, 0);
}

export class RowSample<T> {
  /** max-heap on priority */
  private heap: { p: number; index: number; item: T }[] = [];

  constructor(
    readonly k: number,
    readonly seed: number,
  ) {}

  /** Offers row `index`; `item()` is called only if the row is kept (so unkept rows cost no copy). */
  offer(index: number, item: () => T): void {
    if (this.k <= 0) return;
    const p = rowPriority(this.seed, index);
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push({ p, index, item: item() });
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]!.p >= heap[i]!.p) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
      return;
    }
    if (p >= heap[0]!.p) return;
    heap[0] = { p, index, item: item() };
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let big = i;
      if (l < heap.length && heap[l]!.p > heap[big]!.p) big = l;
      if (r < heap.length && heap[r]!.p > heap[big]!.p) big = r;
      if (big === i) break;
      [heap[big], heap[i]] = [heap[i]!, heap[big]!];
      i = big;
    }
  }

  /** The sampled rows in file order, with their 0-based index in the file. */
  rows(): { index: number; item: T }[] {
    return this.heap.map(({ index, item }) => ({ index, item })).sort((a, b) => a.index - b.index);
  }
}
