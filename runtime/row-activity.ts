// Which rows of a dataset run are in production, and which of them wait on a call that is held back to be sent
// together with others (a provider batch gathers its calls). When every row in production waits on a held
// call, no further call can arrive until they are sent: the holders are told to send what they have.
//
// This is what makes a batch's contents deterministic. Gathering by an idle timer ("send when no call arrived
// for 200 ms") split one round of calls into several batches whenever the machine was busy and rows reached
// their calls late; quiescence does not depend on timing at all. The executor's row producer opens a ticket
// per row (`begin`) and closes it when the row is decided or fails (`end`); a holder parks the row's ticket
// while it holds the row's call (`hold`) and releases it once the call is sent.

/** A row in production, as a holder of its calls sees it. */
export interface RowTicket {
  /**
   * The row now waits on a call held by the caller of `hold`; `onQuiet` is called when every row in production
   * waits on a held call (once per quiet moment, for each distinct `onQuiet` of the rows held). Returns the
   * release: call it when the held call is sent or given up.
   */
  hold(onQuiet: () => void): () => void;
}

export class RowActivity {
  private busy = 0;
  private held = 0;
  /** per holder (its `onQuiet`): how many rows it holds */
  private readonly holders = new Map<() => void, number>();
  private pending = false;

  /** Rows in production now. */
  get inProduction(): number {
    return this.busy;
  }

  /** A row goes into production: its ticket, and `end` to call once it is done (made, failed or stopped). */
  begin(): { ticket: RowTicket; end: () => void } {
    this.busy++;
    let parked = 0; // this row's held calls (a row waits on one call at a time; counted anyway)
    let ended = false;
    const ticket: RowTicket = {
      hold: (onQuiet) => {
        if (parked++ === 0) this.held++;
        this.holders.set(onQuiet, (this.holders.get(onQuiet) ?? 0) + 1);
        let released = false;
        this.check();
        return () => {
          if (released) return;
          released = true;
          if (--parked === 0) this.held--;
          const n = (this.holders.get(onQuiet) ?? 1) - 1;
          if (n > 0) this.holders.set(onQuiet, n);
          else this.holders.delete(onQuiet);
        };
      },
    };
    const end = () => {
      if (ended) return;
      ended = true;
      this.busy--; // a row's held call is always released before the row can end (it waits on that call)
      this.check();
    };
    return { ticket, end };
  }

  /** Quiet: every row in production holds a call. Told on the next turn of the event loop, if still quiet then,
   *  so that a holder is never re-entered from inside `hold`. */
  private check(): void {
    if (this.pending || !this.quiet()) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (!this.quiet()) return;
      for (const onQuiet of [...this.holders.keys()]) onQuiet();
    });
  }

  private quiet(): boolean {
    return this.busy > 0 && this.held >= this.busy && this.holders.size > 0;
  }
}
