// Simulation datasets (rows with numeric `world`, `agent` and `step`): for `observe` trajectories, the mean of a
// few numeric fields over agents at each observed step, for the first few worlds. Gathered in one pass in
// memory bounded by WORLDS × MAX_STEPS × FIELDS, whatever the number of rows.
import type { Row } from './row-stream.js';

export const WORLDS = 4;
export const MAX_STEPS = 200;
export const FIELDS = 3;
const KEYS = ['world', 'agent', 'step'];

export interface TrajectoryLines {
  field: string;
  steps: number[];
  /** one line per world: mean over agents at each of `steps` (NaN where a world has no row at a step) */
  worlds: { world: number; means: number[] }[];
}

export class TrajectoryStats {
  /** false once a row lacks numeric world/agent/step: the dataset is not a simulation's */
  active = true;
  /** more than MAX_STEPS distinct steps: events, not observations */
  tooManySteps = false;
  private fields: string[] | undefined;
  private worlds = new Map<number, Map<number, { sums: number[]; n: number }>>();
  private steps = new Set<number>();

  add(row: Row): void {
    if (!this.active) return;
    const w = row['world'];
    const s = row['step'];
    if (typeof w !== 'number' || typeof s !== 'number' || typeof row['agent'] !== 'number') {
      this.active = false;
      return;
    }
    this.fields ??= Object.keys(row)
      .filter((k) => !KEYS.includes(k) && typeof row[k] === 'number')
      .slice(0, FIELDS);
    if (this.tooManySteps) return;
    let byStep = this.worlds.get(w);
    if (!byStep) {
      // keep the WORLDS smallest world ids seen (rows usually arrive world by world, so this rarely evicts)
      if (this.worlds.size >= WORLDS) {
        const largest = Math.max(...this.worlds.keys());
        if (w > largest) return;
        this.worlds.delete(largest);
      }
      this.worlds.set(w, (byStep = new Map()));
    }
    let acc = byStep.get(s);
    if (!acc) {
      this.steps.add(s);
      if (this.steps.size > MAX_STEPS) {
        this.tooManySteps = true;
        this.worlds.clear();
        return;
      }
      byStep.set(s, (acc = { sums: this.fields.map(() => 0), n: 0 }));
    }
    acc.n++;
    this.fields.forEach((f, i) => {
      const v = row[f];
      if (typeof v === 'number') acc.sums[i]! += v;
    });
  }

  /** Mean lines per field; empty when the rows are not a simulation's observations. */
  lines(): TrajectoryLines[] {
    if (!this.active || this.tooManySteps || !this.fields) return [];
    const steps = [...this.steps].sort((a, b) => a - b);
    const worlds = [...this.worlds.keys()].sort((a, b) => a - b);
    return this.fields.map((field, i) => ({
      field,
      steps,
      worlds: worlds.map((world) => {
        const byStep = this.worlds.get(world)!;
        return { world, means: steps.map((s) => (byStep.has(s) ? byStep.get(s)!.sums[i]! / byStep.get(s)!.n : NaN)) };
      }),
    }));
  }
}
