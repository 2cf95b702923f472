// Outcome accounting for one dataset run: what happened to every row index the run decided, why rows are
// missing, and what was reused from earlier runs — the numbers behind the end-of-run summary, the manifest's
// `status` and the exit code.
//
//   complete             every row the dataset asks for is written (and, separately, expectations may fail);
//   incomplete           rows are missing: failed rows (by cause), rows never made because the dataset stopped
//                        (fail fast, circuit breaker, budget, Ctrl-C, a batch still running), or — for a `count`
//                        dataset — too few rows passed its checks within the row indices it may draw.
import { CauseTally, simpleCause, type CauseGroup, type FailureCause } from '../cause.js';
import type { Stats } from './produce.js';

export interface Counts {
  /** rows in the output */
  written: number;
  /** rows that could not be made (see causes) */
  failed: number;
  /** rows whose making was cut short by a stop (Ctrl-C, the budget): never tried to the end, not failed */
  notMade: number;
  /** rows a `check` or `judge` dropped */
  filtered: number;
  /** rows dropped as duplicates */
  duplicates: number;
  /** results taken from the journal, made by an earlier run with everything that made them unchanged */
  reused: number;
  /** results made again although the journal had them: they had failed, or what made them changed */
  remade: number;
  /** results made for the first time */
  made: number;
}

export type Status = 'complete' | 'incomplete';

export class Outcome {
  readonly counts: Counts = { written: 0, failed: 0, notMade: 0, filtered: 0, duplicates: 0, reused: 0, remade: 0, made: 0 };
  /** row indices decided without failing (written, dropped, filtered, a group, or an index that is no row) */
  private decidedIndices = 0;
  /** inside a group (one index, many rows): its rows do not count as indices one by one */
  private inGroup = false;
  readonly causes = new CauseTally();
  /** why rows were remade, and how many for each reason */
  readonly remadeWhy = new Map<string, number>();
  readonly splits: Record<string, number> = {};
  /** calls, tokens, cost and attempts, summed over this run and every earlier one (from the journal): all spent */
  readonly stats: Stats = {};
  /**
   * calls, tokens, cost and attempts behind the results this output is built from: each decided row index's
   * latest result (written, filtered, duplicate or failed), made in this run or reused. Results superseded since
   * (a changed definition, an earlier failure made again) are in `stats` only.
   */
  readonly keptStats: Stats = {};

  addStats(s: Stats | undefined): void {
    for (const [k, v] of Object.entries(s ?? {})) this.stats[k] = (this.stats[k] ?? 0) + v;
  }

  /** The spend of a result this output is built from (see keptStats). */
  addKept(s: Stats | undefined): void {
    for (const [k, v] of Object.entries(s ?? {})) this.keptStats[k] = (this.keptStats[k] ?? 0) + v;
  }

  /** Where a result came from: the journal (reused), made again (with why), or made for the first time. */
  source(reused: boolean, remadeBecause?: string): void {
    if (reused) this.counts.reused++;
    else if (remadeBecause !== undefined) {
      this.counts.remade++;
      this.remadeWhy.set(remadeBecause, (this.remadeWhy.get(remadeBecause) ?? 0) + 1);
    } else this.counts.made++;
  }

  written(split: string | undefined): void {
    this.decided();
    this.counts.written++;
    if (split !== undefined) this.splits[split] = (this.splits[split] ?? 0) + 1;
  }

  /** The rows of one index's group (a nested `for`) follow, until `endGroup`: the index counts once. */
  beginGroup(): void {
    this.inGroup = true;
  }

  endGroup(): void {
    this.inGroup = false;
    this.decidedIndices++;
  }

  private decided(): void {
    if (!this.inGroup) this.decidedIndices++;
  }

  /** An index that is no row (`each randint(…)` drew fewer rows for its item): decided, nothing made. */
  absent(): void {
    this.decidedIndices++;
  }

  duplicate(): void {
    this.decided();
    this.counts.duplicates++;
  }

  filtered(): void {
    this.decided();
    this.counts.filtered++;
  }

  /** A row that was not made, and why; a stop's cause (Ctrl-C: `stopped`, the budget: `budget`) counts it as
   *  not made rather than failed — nothing is wrong with the row. */
  failed(row: number, cause: FailureCause): void {
    if (cause.kind === 'stopped' || cause.kind === 'budget') this.counts.notMade++;
    else this.counts.failed++;
    this.causes.add(cause, row);
  }

  /**
   * Rows missing from the output, with a cause for each group; `status` follows. `target` is the rows the
   * dataset asks for (after --limit and shards; `rowsCounted`: rows of a `for` whose items make varying rows,
   * `exhausted`: every item was decided; `marginOnly`: a shard's share plus margin), `undecided` the row indices it never decided, and `why` the
   * reason they were not (the stop, or the end of the indices a `count` dataset may draw).
   */
  finish(o: { target: number | undefined; forDataset: boolean; rowsCounted?: boolean; exhausted?: boolean; stopped?: string; exhaustedAt?: number; marginOnly?: boolean }): { missing: number; status: Status; causes: CauseGroup[] } {
    const c = this.counts;
    let missing = 0;
    if (o.target !== undefined && o.forDataset && o.rowsCounted) {
      // `count N` beside a nested `for` (or a drawn `each`) counts rows, and items make as many rows as they
      // make: once every item was decided, only rows of items that failed or were not made are missing (fewer
      // rows than N in all is the complete dataset, as with fewer items than N — docs/language.md).
      missing = Math.max(0, o.target - c.written);
      if (o.exhausted && o.stopped === undefined) missing = Math.min(missing, c.failed + c.notMade);
    } else if (o.target !== undefined) {
      // A `for` dataset (and a grid) decides each index once (a filtered row is not replaced); a `count` dataset
      // keeps drawing indices until `count` rows are written, so only written rows count.
      const covered = o.forDataset ? this.decidedIndices : c.written;
      missing = Math.max(0, o.target - covered);
    }
    // A shard's target is its share plus a margin, a guess: once it decided every row index one run may draw, it
    // has every row the merge could need, and only rows that failed or were not made are missing (the merge says
    // whether the dataset is short).
    if (o.marginOnly && o.exhausted && o.stopped === undefined) missing = Math.min(missing, c.failed + c.notMade);
    const notMade = Math.max(0, missing - c.failed - c.notMade);
    if (notMade > 0) {
      const why =
        o.stopped !== undefined
          ? simpleCause('stopped', `not made: the run stopped (${o.stopped})`)
          : { ...simpleCause('stopped', `too few rows passed the checks and deduplication within the ${o.exhaustedAt ?? 'available'} row indices this dataset may draw`), repeats: true as const };
      this.causes.add(why, -1, notMade);
    }
    return { missing, status: missing > 0 ? 'incomplete' : 'complete', causes: this.causes.list() };
  }
}
