// A counting semaphore with a movable limit and a FIFO of waiters: the concurrency half of the scheduler.
//
// Why not p-limit: it allocates several promises and closures per task and always starts a task on a later
// microtask, even when a slot is free. With thousands of calls issued at once (a dataset run queues every row),
// that is measurable CPU and garbage before the first request leaves (bench/llm). Here a free slot is taken
// synchronously, a waiter costs one promise, and a released slot goes straight to the oldest waiter.
export class Slots {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private head = 0;

  constructor(private max: number) {
    if (!(max >= 1)) throw new RangeError(`concurrency must be at least 1 (got ${max})`);
  }

  get limit(): number {
    return this.max;
  }
  /** Lowering it lets tasks in flight finish; raising it starts waiters at once. */
  set limit(n: number) {
    if (!(n >= 1)) throw new RangeError(`concurrency must be at least 1 (got ${n})`);
    this.max = n;
    while (this.active < this.max && this.pending > 0) this.wake();
  }
  get inFlight(): number {
    return this.active;
  }
  get pending(): number {
    return this.waiters.length - this.head;
  }

  /** Takes a slot: undefined when one was free (taken now), else a promise that resolves once one is handed over. */
  acquire(): Promise<void> | undefined {
    if (this.active < this.max && this.pending === 0) {
      this.active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Gives a slot back; the oldest waiter gets it if the limit allows. */
  release(): void {
    this.active--;
    if (this.active < this.max && this.pending > 0) this.wake();
  }

  private wake(): void {
    const resolve = this.waiters[this.head]!;
    this.waiters[this.head++] = undefined as unknown as () => void;
    // Compact now and then so a long run does not keep every resolved waiter's slot.
    if (this.head >= 1024 && this.head * 2 >= this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
    this.active++;
    resolve();
  }
}
