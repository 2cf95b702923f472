// The runtime plan's shapes: everything `synth run` executes, as canonical JSON plus generated WGSL files.
// Produced by lower.ts from a checked program; read by the runtime, the estimator and the language server.
// Invariants:
//  - deterministic: same program → same bytes (sorted keys, no timestamps, no absolute paths, no spans);
//  - layout-free: reformatting the spec never changes the plan (values, not source text, are recorded);
//  - secret-free: `env("NAME")` stays symbolic ({ env: NAME }); API keys are never resolved here;
//  - addressed: every stage carries a content hash, so the runtime can tell which stages changed.
import type { ExprIR } from './expr-ir.js';

export const PLAN_VERSION = 1;

export type Setting = string | number | boolean | { env: string; default?: string } | Record<string, number> | null;

export interface ModelStage {
  name: string;
  provider: string;
  mode: 'direct' | 'batch';
  settings: Record<string, Setting>;
  hash: string;
}

export interface PromptStage {
  name: string;
  model: string;
  params: { name: string; type: string }[];
  returns: { type: string; kind: 'json' | 'text' | 'image'; schema: unknown };
  messages: { role: 'system' | 'user' | 'assistant'; template: ExprIR }[];
  settings: Record<string, Setting>;
  hash: string;
}

/**
 * A sampler's parameter: a constant, or `{ expr }` — an expression over the row's earlier `vary` variables and its
 * `for` item, evaluated for each row before the draw (conditional sampling). Constants are recorded as values, so
 * specs without expressions keep their plans.
 */
export type Param<T> = T | { expr: ExprIR };

export type Sampler =
  | { kind: 'choice'; values: Array<Param<string | number | boolean>>; weights: number[] }
  | { kind: 'uniform'; low: Param<number>; high: Param<number> }
  | { kind: 'normal'; mean: Param<number>; sd: Param<number> }
  | { kind: 'randint'; low: Param<number>; high: Param<number> }
  | { kind: 'bernoulli'; p: Param<number> }
  | { kind: 'poisson'; lambda: Param<number> }
  /** `uniform(date(…), date(…))`: a whole day, each of [low, high] equally likely (canonical `YYYY-MM-DD`) */
  | { kind: 'date'; low: Param<string>; high: Param<string> }
  /** `uniform(datetime(…), datetime(…))`: a millisecond in [low, high], uniform (canonical ISO 8601, UTC) */
  | { kind: 'datetime'; low: Param<string>; high: Param<string> }
  /**
   * `fake("person.fullName", locale: "de")`: faker's `method` in `locale` (a faker locale code), seeded per draw,
   * with relative dates around `refDate`. `library` (`@faker-js/faker 10.6.0`) is part of the plan, so a faker
   * upgrade changes the plan's hash rather than mixing two libraries' values in one dataset.
   */
  | { kind: 'fake'; method: string; locale: string; library: string; refDate: string }
  /** `one_of(people)` / `weighted(people, popularity)`: a row of a table source or of a dataset, uniformly or
   *  weighted by a numeric column (rows with weight 0 are never drawn) */
  | { kind: 'row'; from: string; of: 'source' | 'dataset'; weight?: string }
  /** `uuid()`: a version-4 UUID from 122 drawn bits (deterministic per row, like every draw) */
  | { kind: 'uuid' }
  /** `seq()`: the row's index + 1 — unique and increasing in output order (gaps where rows were dropped) */
  | { kind: 'seq' };

export interface VaryStage {
  name: string;
  /** `grid` enumerates values (cartesian product across grid variables); `sample` draws per row. */
  mode: 'sample' | 'grid';
  sampler: Sampler;
  /** drawn below the `level`-th nested `for` (once per element); absent: once per row index */
  level?: number;
}

/**
 * How many rows each item (or list element) makes: `each 3` is `{ count: 3 }`; `each randint(1, 5)` draws the
 * number per item (`max` bounds it: the index space reserves `max` rows per item).
 */
export interface EachStage {
  count: number;
  sampler?: Sampler;
}

export type DatasetStep =
  | { let: string; expr: ExprIR }
  | { row: ExprIR }
  | { check: ExprIR; text: string }
  | { judge: string; call: ExprIR; op: string | null; threshold: ExprIR | null }
  /**
   * A nested `for` (after the first): the steps after it run once per element of `list` (times `each`), each
   * making its own row — one row index then makes a group of rows. `level` counts nested `for`s from 1; `size`
   * is what the checker knows of the list's length (a list literal, a field's `@items`), for the estimate.
   */
  | { for: string; list: ExprIR; level: number; each: EachStage; where: ExprIR | null; size: { min: number; max: number } | null };

export interface DatasetStage {
  name: string;
  rowType: { name: string; schema: unknown };
  /**
   * `count`: rows wanted after checks (`grid`: the count is the grid's size — each cell once, a filtered cell is
   * not replaced). `for`: one row per item (`each` per item; `eachSampler` draws the number per item, at most
   * `each`); `kind` says what `from` names — a source of documents or a table, a dataset (its written rows), or a
   * simulation's events or trajectory; `where` drops items before anything else of their rows runs; `count` (with
   * `count N` beside the `for`) stops after the first N rows written, in canonical item order. Optional fields are
   * absent when not written, so older plans read the same.
   */
  rows:
    | { count: number; grid?: true }
    | {
        for: {
          binder: string;
          kind: 'event' | 'trajectory' | 'source' | 'table' | 'dataset';
          from: string;
          event?: string;
          each: number;
          eachSampler?: Sampler;
          where?: ExprIR;
          count?: number;
        };
      };
  vary: VaryStage[];
  steps: DatasetStep[];
  keep: string[];
  unique: { expr: ExprIR; similarity: number | null }[];
  expects: { expr: ExprIR; text: string }[];
  output: { path: string; format: 'jsonl' | 'csv' | 'parquet' };
  chat: Record<string, ExprIR> | null;
  split: Record<string, number> | null;
  seed: number;
  prompts: string[];
  sims: string[];
  sources: string[];
  /** top-level row fields of type `image`: each written row becomes one line per image (absent: none) */
  images?: string[];
  /** the datasets whose written rows this one reads (`for c in customers`, `one_of(customers)`); absent: none */
  datasets?: string[];
  /** it has a nested `for`: one row index makes a group of rows */
  nested?: true;
  hash: string;
}

/** `source docs = files("glob") { chunk N overlap M }`: documents as token chunks. */
export interface FilesSourceStage {
  name: string;
  glob: string;
  chunk: number;
  overlap: number;
  hash: string;
}

/**
 * `source people: Person = table("seed/people.csv")`: typed rows read from a CSV (RFC 4180, a header line),
 * JSONL or Parquet file (by `format`), each checked against `rowType` (a struct: its JSON Schema, and per column
 * the type name for messages); `unique` lists the struct's `@unique` fields.
 */
export interface TableSourceStage {
  name: string;
  table: { path: string; format: 'csv' | 'jsonl' | 'parquet' };
  rowType: { name: string; schema: unknown };
  unique: string[];
  hash: string;
}

export type SourceStage = FilesSourceStage | TableSourceStage;

/** Is `s` a table source? */
export function isTableSource(s: SourceStage): s is TableSourceStage {
  return 'table' in s;
}

export interface SimPlanStage {
  name: string;
  stage: unknown;
  wgsl: string[];
  hash: string;
}

export interface Plan {
  synth: 'plan';
  version: number;
  tool: string;
  spec: { file: string };
  /** content hash of everything below: two plans with the same hash run the same work */
  hash: string;
  goal: { description: string | null; seed: number; split: Record<string, number> | null; purpose: string | null };
  models: Record<string, ModelStage>;
  prompts: Record<string, PromptStage>;
  sources: Record<string, SourceStage>;
  sims: Record<string, SimPlanStage>;
  datasets: Record<string, DatasetStage>;
}

export interface BuildOutput {
  plan: Plan;
  /** canonical JSON of the plan */
  json: string;
  /** generated WGSL modules: relative file name → code */
  wgsl: Map<string, string>;
}
