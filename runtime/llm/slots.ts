// A counting semaphore with a movable limit and a FIFO of waiters: the concurrency half of the scheduler.
//
// Why not p-limit: it allocates several promises and closures per task and always starts a task on a later
// microtask, even when a slot is free. With thousands of calls issued at once (a dataset run queues every row),
// that is measurable CPU and garbage before the first request leaves (bench/llm). Here a free slot is taken
// synchronously, a waiter costs one promise, and a released slot goes straight to the oldest waiter.
//
// Bursts: when many free slots are taken in one turn of the event loop (a run starting), the first task starts at
// once and the others one per turn after it. Preparing a request is CPU work spread over many awaits (the openai
// client's); tasks started together advance through those awaits in lockstep, so none is sent before all are
// prepared — at 100 in flight ~30 ms before the first byte left, at 1,000 several hundred. Staggered, each
// request is on the wire before the next is prepared, and responses arriving meanwhile are read between starts.
export class Slots {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private head = 0;
  /** tasks holding a slot taken in the current burst, waiting for their turn to start */
  private burst: Array<() => void> | undefined;
  private burstHead = 0;

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

  /**
   * Takes a slot: undefined when one was free and the task may start now; else a promise that resolves when the
   * task may start (a slot handed over, or its turn in a burst).
   */
  acquire(): Promise<void> | undefined {
    if (this.active < this.max && this.pending === 0) {
      this.active++;
      if (!this.burst) {
        this.burst = [];
        setImmediate(this.nextInBurst);
        return undefined;
      }
      return new Promise<void>((resolve) => this.burst!.push(resolve));
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

  /** One turn of a burst: start the next task (its microtasks run before the next turn), or end the burst. */
  private readonly nextInBurst = (): void => {
    const q = this.burst!;
    if (this.burstHead < q.length) {
      const start = q[this.burstHead]!;
      q[this.burstHead++] = undefined as unknown as () => void;
      start();
      setImmediate(this.nextInBurst);
    } else {
      this.burst = undefined;
      this.burstHead = 0;
    }
  };
}
