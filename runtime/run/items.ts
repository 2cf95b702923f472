// The items behind `for` datasets — a simulation's events or trajectory rows, a source's document chunks — each
// loaded at most once per run and shared by every dataset that reads it and by the estimate (dry run, budget
// pre-check), so counting items before a run costs nothing extra.
import { SynthError, synthError } from '../../base/diagnostics.js';
import { evaluate, EvalError, type Env, type Value } from '../../compiler/plan/eval.js';
import type { ExprIR } from '../../compiler/plan/expr-ir.js';
import type { DatasetStage, Plan } from '../../compiler/plan/schema.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { runSim, simKeys, simRows, type SimResult } from '../sim/run.js';
import { loadFiles } from '../sources/files.js';
import type { DryRunOptions } from './options.js';

/** A `for` dataset's items, with a stable key per item (`world/agent/step/n`, `path#chunk`). */
export interface Items {
  items: Value[];
  keys: string[];
}

/** Loads and memoises the items of a run's `for` datasets (see the file's header). */
export class ItemLoader {
  private readonly sims = new Map<string, Promise<SimResult>>();
  private readonly sources = new Map<string, Promise<Items>>();
  /** per dataset with a `where`: its items that pass */
  private readonly filtered = new Map<string, Items>();

  /**
   * `o.shard`: with shards, each simulation runs only the shard's worlds (`shardWorlds`), so its items are
   * already the shard's own.
   */
  constructor(
    private readonly plan: Plan,
    private readonly o: DryRunOptions & { shard?: { index: number; count: number } },
  ) {}

  /**
   * The items a `for` dataset iterates, those failing its `where` left out (so nothing of their rows runs, and
   * the estimate counts only the rest); undefined for a `count` dataset. Throws SYN5006 (no such stage), SYN5007
   * (no documents), SYN5040 (a `where` that cannot be evaluated for an item).
   */
  async forDataset(ds: DatasetStage): Promise<Items | undefined> {
    if (!('for' in ds.rows)) return undefined;
    const f = ds.rows.for;
    let all: Items;
    if (f.kind === 'source') all = await this.source(f.from);
    else {
      const res = await this.sim(f.from);
      all = { items: simRows(res, f.kind, f.event) as unknown as Value[], keys: simKeys(res, f.kind, f.event) };
    }
    if (!f.where) return all;
    let kept = this.filtered.get(ds.name);
    if (!kept) this.filtered.set(ds.name, (kept = whereItems(ds.name, f.binder, f.where, all)));
    return kept;
  }

  /** Items per `for` dataset among `names`, for `estimatePlan`'s `itemCounts`. Runs the simulations and reads the documents they need. */
  async counts(names: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const n of names) {
      const ds = this.plan.datasets[n];
      const items = ds ? await this.forDataset(ds) : undefined;
      if (items) out[n] = items.keys.length;
    }
    return out;
  }

  private sim(name: string): Promise<SimResult> {
    let p = this.sims.get(name);
    if (!p) {
      const stage = this.plan.sims[name];
      if (!stage) throw new SynthError('SYN5006', `the plan has no simulation '${name}'`);
      const range = this.o.shard ? shardWorlds(stage.stage, this.o.shard) : undefined;
      // a stale plan without a layout fails in runSim (SYN5006); the display then has nothing to show
      const L = (stage.stage as Partial<SimStage> | undefined)?.layout ?? { worlds: 0, agents: 0, steps: 0 };
      const worlds = range ? range[1] - range[0] : L.worlds;
      const backend = this.o.backend ?? 'auto';
      const t0 = performance.now();
      this.o.onSim?.({ state: 'start', sim: name, backend, worlds, agents: L.agents, steps: L.steps });
      p = runSim(stage.stage, {
        backend,
        ...(this.o.onNotice ? { onNotice: this.o.onNotice } : {}),
        ...(range ? { worldRange: range } : {}),
      }).then((res) => {
        const ms = performance.now() - t0;
        const agentSteps = Number(res.stats['agentSteps'] ?? worlds * L.agents * L.steps);
        this.o.onSim?.({ state: 'done', sim: name, backend: String(res.stats['backend'] ?? backend), worlds, ms, agentSteps });
        return res;
      });
      this.sims.set(name, p);
    }
    return p;
  }

  private source(name: string): Promise<Items> {
    let p = this.sources.get(name);
    if (!p) {
      p = loadSource(this.plan, name, this.o.projectRoot, this.o.allowOutsideProject ?? false);
      this.sources.set(name, p);
    }
    return p;
  }
}

/** The items for which `where` (over `binder`) holds, in their order, keys kept (row identity never shifts). */
function whereItems(dataset: string, binder: string, where: ExprIR, all: Items): Items {
  const out: Items = { items: [], keys: [] };
  const env: Env = new Map();
  all.items.forEach((item, i) => {
    env.set(binder, item);
    let pass: Value;
    try {
      pass = evaluate(where, env);
    } catch (e) {
      if (e instanceof EvalError) throw synthError('SYN5040', { dataset, item: all.keys[i] ?? String(i), error: e.message });
      throw e;
    }
    if (pass === true) {
      out.items.push(item);
      out.keys.push(all.keys[i]!);
    }
  });
  return out;
}

/** A source's chunks as dataset items `{ text, path, index, tokens }`. Throws SYN5006 (no such source), SYN5007 (no file matches), SYN4002 (a path outside the project). */
async function loadSource(plan: Plan, name: string, root: string, allowOutside: boolean): Promise<Items> {
  const s = plan.sources[name];
  if (!s) throw new SynthError('SYN5006', `the plan has no source '${name}'`);
  const r = await loadFiles(root, s.glob, { allowOutside, chunk: { tokens: s.chunk, overlap: s.overlap } });
  if (r.items.length === 0) throw synthError('SYN5007', { detail: `source ${name}: no files match "${s.glob}" under ${root}` });
  return {
    items: r.items.map((it) => ({ text: it.text, path: it.path, index: it.chunk, tokens: it.tokens })),
    keys: r.items.map((it) => it.key),
  };
}

/** The worlds of shard i/n: contiguous blocks `[from, to)`, so each shard simulates only its own worlds. */
function shardWorlds(stage: unknown, shard: { index: number; count: number }): [number, number] {
  const worlds = Number((stage as { worlds?: number }).worlds ?? 0);
  const per = Math.ceil(worlds / shard.count);
  return [Math.min(worlds, shard.index * per), Math.min(worlds, (shard.index + 1) * per)];
}
