// Which datasets a run covers: the ones named on the command line (or all) and, transitively, the datasets they
// read, in an order where each comes after what it reads. One function for the run, the dry run and the memory
// estimate (items.ts), so they never disagree about what runs.
import { synthError } from '../../base/diagnostics.js';
import type { Plan } from '../../compiler/plan/schema.js';

/**
 * The datasets a run covers: `names` (or all) and the datasets they read, transitively, each after the datasets it
 * reads and otherwise in declaration order. Throws SYN5006 for a name the plan lacks.
 */
export function selectDatasets(plan: Plan, names: string[] | undefined): string[] {
  for (const n of names ?? []) {
    if (!plan.datasets[n]) throw synthError('SYN5009', { name: n }, { choices: Object.keys(plan.datasets) });
  }
  const wanted = new Set(Object.keys(plan.datasets).filter((n) => !names?.length || names.includes(n)));
  const out: string[] = [];
  const placed = new Set<string>();
  // depth first over reads, visiting in declaration order (the checker refused cycles: SYN3054)
  const place = (n: string, path: Set<string>) => {
    if (placed.has(n) || path.has(n) || !plan.datasets[n]) return;
    path.add(n);
    for (const u of plan.datasets[n]!.datasets ?? []) place(u, path);
    path.delete(n);
    placed.add(n);
    out.push(n);
  };
  for (const n of Object.keys(plan.datasets)) if (wanted.has(n)) place(n, new Set());
  return out;
}

