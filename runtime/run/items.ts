// The items behind `for` datasets — a simulation's events or trajectory rows, a source's document chunks, a
// table's rows, another dataset's written rows — each loaded at most once per run and shared by every dataset
// that reads it and by the estimate (dry run, budget pre-check), so counting items before a run costs nothing
// extra. Also the pools `vary x ~ one_of(TABLE)` and `weighted(TABLE, column)` draw rows from.
import { selectDatasets } from './select.js';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeDiagnostic, SynthError, synthError, type Diagnostic } from '../../base/diagnostics.js';
import { evaluate, EvalError, type Env, type Value } from '../../compiler/plan/eval.js';
import type { ExprIR } from '../../compiler/plan/expr-ir.js';
import type { RowPool } from '../../compiler/plan/samplers.js';
import { isTableSource, type DatasetStage, type Plan } from '../../compiler/plan/schema.js';
import { hasConditionalCalls } from '../../compiler/plan/estimate.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import type { SimRunRecord } from '../manifest.js';
import { runSim, simKeys, simRows, type SimResult } from '../sim/run.js';
import { ensureRunFits, type RunSim } from '../sim/memory.js';
import { loadFiles } from '../sources/files.js';
import { readTable, TableProblems, type TableData } from '../sources/table.js';
import type { DryRunOptions } from './options.js';

/** A `for` dataset's items, with a stable key per item (`world/agent/step/n`, `path#chunk`). */
export interface Items {
  items: Value[];
  keys: string[];
}

/** Loads and memoises the items of a run's `for` datasets (see the file's header). */
export class ItemLoader {
  private readonly sims = new Map<string, Promise<SimResult>>();
  /** a sim table's rows (`sim\u0000trajectory`, `sim\u0000EVENT`), made once however many datasets read them:
   *  the memory estimate counts one copy per table */
  private readonly simItems = new Map<string, Items>();
  private readonly sources = new Map<string, Promise<Items>>();
  private readonly tableData = new Map<string, Promise<TableData>>();
  /** written rows of the datasets made so far in this run, for the datasets that read them */
  private readonly written = new Map<string, Items>();
  /** per dataset with a `where`: its items that pass */
  private readonly filtered = new Map<string, Items>();

  /**
   * `o.shard`: with shards, each simulation runs only the shard's worlds (`shardWorlds`), so its items are
   * already the shard's own.
   */
  constructor(
    private readonly plan: Plan,
    private readonly o: DryRunOptions & { shard?: { index: number; count: number }; interrupted?: () => boolean },
  ) {}

  /** the datasets the run covers (select.ts), computed on first use */
  private selection: Set<string> | undefined;

  /**
   * The items a `for` dataset iterates, those failing its `where` left out (so nothing of their rows runs, and
   * the estimate counts only the rest); undefined for a `count` dataset. Throws SYN5006 (no such stage, or a
   * dataset read before it was made), SYN5007 (no documents), SYN5040 (a `where` that cannot be evaluated for an
   * item), TableProblems (rows that do not fit), SYN5054 (an unreadable table).
   */
  async forDataset(ds: DatasetStage): Promise<Items | undefined> {
    if (!('for' in ds.rows)) return undefined;
    const f = ds.rows.for;
    let all: Items;
    if (f.kind === 'source') all = await this.source(f.from);
    else if (f.kind === 'table') all = await this.table(f.from);
    else if (f.kind === 'dataset') {
      const w = this.written.get(f.from);
      if (!w) throw synthError('SYN5011', { dataset: ds.name, how: 'reads', upstream: f.from });
      all = w;
    } else {
      const res = await this.sim(f.from);
      const key = `${f.from}\u0000${f.kind === 'trajectory' ? 'trajectory' : f.event}`;
      let made = this.simItems.get(key);
      if (!made) this.simItems.set(key, (made = { items: simRows(res, f.kind, f.event) as unknown as Value[], keys: simKeys(res, f.kind, f.event) }));
      all = made;
    }
    if (!f.where) return all;
    let kept = this.filtered.get(ds.name);
    if (!kept) this.filtered.set(ds.name, (kept = whereItems(ds.name, f.binder, f.where, all)));
    return kept;
  }

  /**
   * The items of the `for` datasets among `names` whose calls are conditional (estimate.ts `hasConditionalCalls`):
   * the estimate runs their rows on their real items.
   */
  async forEstimate(names: string[]): Promise<Record<string, Items>> {
    const out: Record<string, Items> = {};
    for (const n of names) {
      const ds = this.plan.datasets[n];
      if (!ds || !('for' in ds.rows) || !hasConditionalCalls(ds)) continue;
      const items = await this.forDataset(ds);
      if (items) out[n] = items;
    }
    return out;
  }

  /** Records dataset `name`'s written rows (in output order, with their row keys) for the datasets that read it. */
  provide(name: string, rows: Items): void {
    this.written.set(name, rows);
  }

  /**
   * Items per `for` dataset among `names`, for `estimatePlan`'s `itemCounts`. Runs the simulations and reads the
   * documents and tables they need; datasets that read datasets are left to the estimate (their upstream's rows).
   */
  async counts(names: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const n of names) {
      const ds = this.plan.datasets[n];
      if (!ds || ('for' in ds.rows && ds.rows.for.kind === 'dataset' && !this.written.has(ds.rows.for.from))) continue;
      const items = await this.forDataset(ds);
      if (items) out[n] = items.keys.length;
    }
    return out;
  }

  /**
   * Reads every table the datasets `names` iterate or draw from and checks its rows, and the draws from it
   * (SYN5055 an empty table drawn from, SYN5050 a weight below 0 or not finite, SYN5056 weights summing to 0,
   * shown at the spec's `one_of(…)` / `weighted(…)`); throws TableProblems with the problems of all of them
   * (SYN5050-5053, 5055, 5056), or SYN5054 for an unreadable one. Call it before anything runs,
   * so a bad seed table is reported before a single row is made.
   */
  async checkTables(names: string[]): Promise<void> {
    const problems: Diagnostic[] = [];
    for (const t of this.tablesOf(names)) {
      try {
        const data = await this.tableRows(t);
        problems.push(...data.problems);
        if (!data.problems.length) problems.push(...this.drawProblems(names, t, data.rows));
      } catch (e) {
        // a table that cannot be read at all (SYN5054, SYN4002) is one problem among the others
        if (!(e instanceof SynthError)) throw e;
        const s = this.plan.sources[t];
        const tablePath = s && isTableSource(s) ? s.table.path : '';
        // An unreadable file is shown at its bad line (or its start); a refused path (SYN4002) at the spec's
        // `table("…")`, never in the file: that file is outside the project, so none of it is shown.
        const at = e.location ?? (e.code === 'SYN5054' && tablePath ? { file: path.resolve(this.o.projectRoot, tablePath), span: { start: 0, end: 0 } } : this.specLocation(tablePath));
        problems.push({ ...makeDiagnostic('SYN5054', at.file, at.span, { source: t, file: at.file, reason: '' }), code: e.code, message: e.message });
      }
    }
    if (problems.length) throw new TableProblems(problems);
  }

  /** The problems of the draws the datasets `names` make from table `t` (rows `rows`): see `checkTables`. */
  private drawProblems(names: string[], t: string, rows: Value[]): Diagnostic[] {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const n of names) {
      for (const v of this.plan.datasets[n]?.vary ?? []) {
        const s = v.sampler;
        if (s.kind !== 'row' || s.of !== 'source' || s.from !== t) continue;
        const key = `${n}\u0000${v.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const at = this.drawLocation(t, s.weight);
        if (rows.length === 0) {
          out.push(makeDiagnostic('SYN5055', at.file, at.span, { name: v.name, from: t }));
          continue;
        }
        if (!s.weight) continue;
        const p = weightProblem(rows, s.weight);
        if (p?.kind === 'bad') out.push(makeDiagnostic('SYN5050', at.file, at.span, { row: p.row, source: t, column: s.weight, expected: WEIGHT, found: p.found }));
        else if (p?.kind === 'zero') out.push(makeDiagnostic('SYN5056', at.file, at.span, { name: v.name, from: t, column: s.weight, sum: 0 }));
      }
    }
    return out;
  }

  /** Where the entry spec draws from `from`: its `weighted(from, weight)` or `one_of(from)` call (else the spec's start). */
  private drawLocation(from: string, weight: string | undefined): { file: string; span: { start: number; end: number } } {
    const file = path.resolve(this.o.projectRoot, this.plan.spec.file);
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = weight ? new RegExp(`\\bweighted\\(\\s*${esc(from)}\\s*,\\s*${esc(weight)}\\s*\\)`) : new RegExp(`\\bone_of\\(\\s*${esc(from)}\\s*\\)`);
    try {
      const m = re.exec(readFileSync(file, 'utf8'));
      if (m) return { file, span: { start: m.index, end: m.index + m[0].length } };
    } catch {
      // an unreadable spec: its start
    }
    return { file, span: { start: 0, end: 0 } };
  }

  /**
   * Where the spec names table path `p`: the string in its `table("p")`, found in the entry spec's text (a table
   * declared in an imported file, or a spec that cannot be read, gives the spec's start).
   */
  private specLocation(p: string): { file: string; span: { start: number; end: number } } {
    const file = path.resolve(this.o.projectRoot, this.plan.spec.file);
    try {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\btable\(\s*("(?:[^"\\\n]|\\.)*")/g)) {
        let value: unknown;
        try {
          value = JSON.parse(m[1]!);
        } catch {
          continue;
        }
        if (value === p) {
          const start = m.index! + m[0].length - m[1]!.length;
          return { file, span: { start, end: start + m[1]!.length } };
        }
      }
    } catch {
      // an unreadable spec: its start
    }
    return { file, span: { start: 0, end: 0 } };
  }

  /** The table sources the datasets `names` read, once each, in first-use order. */
  tablesOf(names: string[]): string[] {
    const out = new Set<string>();
    for (const n of names) {
      const ds = this.plan.datasets[n];
      if (!ds) continue;
      if ('for' in ds.rows && ds.rows.for.kind === 'table') out.add(ds.rows.for.from);
      for (const v of ds.vary) if (v.sampler.kind === 'row' && v.sampler.of === 'source') out.add(v.sampler.from);
    }
    return [...out];
  }

  /** Where simulation `name` ran and whether its results are the same on every backend (for the manifest and `synth merge`). */
  async simRecord(name: string): Promise<SimRunRecord> {
    const res = await this.sim(name);
    const inexact = (this.plan.sims[name]!.stage as { inexact?: string[] }).inexact ?? [];
    const backend = res.stats['backend'] === 'webgpu' ? `webgpu (${res.stats['adapter'] || 'unknown adapter'})` : String(res.stats['backend'] ?? 'cpu');
    const fallback = res.stats['fallback'];
    return { backend, exact: inexact.length === 0, inexact, requested: this.o.backend ?? 'auto', ...(fallback !== undefined ? { fallback: String(fallback) } : {}) };
  }

  /**
   * The sims the datasets `names` read, each with how it will run (its worlds under --shard, the backend whose
   * figures count, the tables read as rows): what the memory estimate (runtime/sim/memory.ts) is made of.
   */
  simsRead(names: string[]): RunSim[] {
    const sims: RunSim[] = [];
    const seen = new Set<string>();
    for (const n of names) {
      const ds = this.plan.datasets[n];
      const f = ds && 'for' in ds.rows ? ds.rows.for : undefined;
      if (!f || (f.kind !== 'trajectory' && f.kind !== 'event') || seen.has(f.from)) continue;
      seen.add(f.from);
      const stage = this.plan.sims[f.from]?.stage as Partial<SimStage> | undefined;
      if (!stage?.layout) continue; // a stale plan: runSim says so (SYN5010)
      const range = this.o.shard ? shardWorlds(stage, this.o.shard) : undefined;
      // `auto` may run on WebGPU, whose figures are the larger (bools in 4 B, observations read back twice)
      const backend = this.o.backend === 'cpu' ? 'cpu' : 'webgpu';
      sims.push({ layout: stage.layout, options: { backend, rows: this.tablesRead(f.from), ...(range ? { worlds: range[1] - range[0] } : {}) } });
    }
    return sims;
  }

  /**
   * Throws SYN6005 (one sim too large) or SYN6010 (the run as a whole) when the sims the datasets `names` read,
   * with their rows and the output buffers, would not fit in `--max-memory` (default: the machine's memory).
   * Call before anything runs: nothing is simulated or allocated. Returns the sims it checked (simsRead).
   */
  checkMemory(names: string[]): RunSim[] {
    const sims = this.simsRead(names);
    ensureRunFits(sims, this.o.maxMemory);
    return sims;
  }

  /** The tables of sim `name` (`trajectory`, event names) that the selected datasets read as rows: the memory estimate counts their rows. */
  private tablesRead(name: string): string[] {
    const out = new Set<string>();
    // the run's whole selection: `--dataset summary` also makes the datasets summary reads, and their rows
    this.selection ??= new Set(selectDatasets(this.plan, this.o.datasets));
    for (const ds of Object.values(this.plan.datasets)) {
      if (!this.selection.has(ds.name)) continue;
      const rows = ds.rows;
      if ('for' in rows && (rows.for.kind === 'event' || rows.for.kind === 'trajectory') && rows.for.from === name) out.add(rows.for.kind === 'trajectory' ? 'trajectory' : rows.for.event!);
    }
    return [...out];
  }

  /**
   * The pools a dataset's `row` draws take rows from, by source or dataset name. Throws SYN5055 (nothing to draw
   * from), SYN5056 (weights summing to 0), SYN5050 (a weight below 0 or not finite).
   */
  async pools(ds: DatasetStage): Promise<Map<string, RowPool>> {
    const out = new Map<string, RowPool>();
    for (const v of ds.vary) {
      const s = v.sampler;
      if (s.kind !== 'row') continue;
      const items = s.of === 'dataset' ? this.written.get(s.from) : await this.table(s.from);
      if (!items) throw synthError('SYN5011', { dataset: ds.name, how: 'draws from', upstream: s.from });
      // A dataset's rows are known only once it is made: what is wrong with them as a draw's pool is the user's
      // data (exit 1), shown at the spec's `one_of(…)` / `weighted(…)`. (A table's were checked before the run.)
      const location = this.drawLocation(s.from, s.weight);
      if (items.items.length === 0) throw synthError('SYN5055', { name: v.name, from: s.from }, { location });
      const key = s.weight ? `${s.from}\u0000${s.weight}` : s.from;
      if (out.has(key)) continue;
      if (s.weight) {
        const p = weightProblem(items.items, s.weight);
        if (p?.kind === 'bad') {
          throw s.of === 'dataset'
            ? synthError('SYN5061', { name: v.name, dataset: ds.name, upstream: s.from, column: s.weight, row: p.row, found: p.found }, { location })
            : synthError('SYN5050', { row: p.row, source: s.from, column: s.weight, expected: WEIGHT, found: p.found }, { location });
        }
        if (p?.kind === 'zero') throw synthError('SYN5056', { name: v.name, from: s.from, column: s.weight, sum: 0 }, { location });
      }
      out.set(key, s.weight ? weightedPool(items.items, s.weight) : { rows: items.items });
    }
    return out;
  }

  private sim(name: string): Promise<SimResult> {
    let p = this.sims.get(name);
    if (!p) {
      const stage = this.plan.sims[name];
      if (!stage) throw synthError('SYN5006', { what: 'simulation', name });
      const range = this.o.shard ? shardWorlds(stage.stage, this.o.shard) : undefined;
      // a stale plan without a layout fails in runSim (SYN5006); the display then has nothing to show
      const L = (stage.stage as Partial<SimStage> | undefined)?.layout ?? { worlds: 0, agents: 0, steps: 0 };
      const worlds = range ? range[1] - range[0] : L.worlds;
      const backend = this.o.backend ?? 'auto';
      const t0 = performance.now();
      this.o.onSim?.({ state: 'start', sim: name, backend, worlds, agents: L.agents, steps: L.steps });
      p = runSim(stage.stage, {
        backend,
        rows: this.tablesRead(name),
        ...(this.o.maxMemory !== undefined ? { maxMemory: this.o.maxMemory } : {}),
        ...(this.o.onNotice ? { onNotice: this.o.onNotice } : {}),
        ...(range ? { worldRange: range } : {}),
        ...(this.o.interrupted ? { interrupted: this.o.interrupted } : {}),
        ...(this.o.onSim ? { onSteps: (done: number) => this.o.onSim?.({ state: 'steps', sim: name, done, steps: L.steps }) } : {}),
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

  private tableRows(name: string): Promise<TableData> {
    let p = this.tableData.get(name);
    if (!p) {
      const s = this.plan.sources[name];
      if (!s || !isTableSource(s)) throw synthError('SYN5006', { what: 'table', name });
      p = readTable(this.o.projectRoot, s, { allowOutside: this.o.allowOutsideProject ?? false });
      this.tableData.set(name, p);
    }
    return p;
  }

  private async table(name: string): Promise<Items> {
    const t = await this.tableRows(name);
    if (t.problems.length) throw new TableProblems(t.problems);
    return { items: t.rows, keys: t.keys };
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

/** The pool key of a `row` sampler: its source or dataset, and its weight column. */
export function poolKey(from: string, weight: string | undefined): string {
  return weight ? `${from}\u0000${weight}` : from;
}

const WEIGHT = 'a weight: a finite number ≥ 0';

/** The first problem of column `column` as weights (absent is 0): a row (1-based) whose weight is not a finite
 *  number ≥ 0, or weights that are all 0; undefined when they can be drawn by. */
export function weightProblem(rows: Value[], column: string): { kind: 'bad'; row: number; found: string } | { kind: 'zero' } | undefined {
  let positive = false;
  for (let i = 0; i < rows.length; i++) {
    const w = weightOf(rows[i], column);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) return { kind: 'bad', row: i + 1, found: JSON.stringify(w) ?? String(w) };
    if (w > 0) positive = true;
  }
  return positive ? undefined : { kind: 'zero' };
}

function weightOf(r: Value | undefined, column: string): Value {
  return r && typeof r === 'object' && !Array.isArray(r) ? (r[column] ?? 0) : 0;
}

/**
 * Rows with the running sum of column `column`, each weight divided by the largest first, so the sum stays finite
 * (weights of 1e308 would sum to Infinity, and every draw would take the last row); the draw's odds are the same.
 * The weights must have passed `weightProblem`.
 */
function weightedPool(rows: Value[], column: string): RowPool {
  let max = 0;
  for (const r of rows) max = Math.max(max, weightOf(r, column) as number);
  const cumulative = new Float64Array(rows.length);
  let sum = 0;
  rows.forEach((r, i) => {
    sum += (weightOf(r, column) as number) / max;
    cumulative[i] = sum;
  });
  return { rows, cumulative };
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

/** A source's chunks as dataset items `{ text, path, index, tokens }`. Throws SYN5006 (no such source), SYN5007 (no file matches), SYN5018 (no text in them), SYN4002 (a path outside the project). */
async function loadSource(plan: Plan, name: string, root: string, allowOutside: boolean): Promise<Items> {
  const s = plan.sources[name];
  if (!s || isTableSource(s)) throw synthError('SYN5006', { what: 'source', name });
  const r = await loadFiles(root, s.glob, { allowOutside, chunk: { tokens: s.chunk, overlap: s.overlap } });
  if (r.items.length === 0) throw synthError('SYN5018', { name, pattern: s.glob, root });
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
