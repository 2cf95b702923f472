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

export type Sampler =
  | { kind: 'choice'; values: Array<string | number | boolean>; weights: number[] }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'randint'; low: number; high: number }
  | { kind: 'bernoulli'; p: number }
  | { kind: 'poisson'; lambda: number };

export interface VaryStage {
  name: string;
  /** `grid` enumerates values (cartesian product across grid variables); `sample` draws per row. */
  mode: 'sample' | 'grid';
  sampler: Sampler;
}

export type DatasetStep =
  | { let: string; expr: ExprIR }
  /** a new value for an earlier `let`, inside a loop */
  | { set: string; expr: ExprIR }
  /** `for NAME in FROM..TO { steps }`: the steps once for each integer from FROM to TO (inclusive), in order */
  | { loop: string; from: ExprIR; to: ExprIR; steps: DatasetStep[] }
  | { row: ExprIR }
  | { check: ExprIR; text: string }
  /** `reason`: the field of the judge's answer that holds its reason (NAME_reason), when it has one */
  | { judge: string; call: ExprIR; op: string | null; threshold: ExprIR | null; reason?: string };

/** A tool a dataset's conversations call (`call_tool`): declared in the chat file's `tools`. */
export interface ChatTool {
  name: string;
  /** JSON Schema of its arguments */
  parameters: unknown;
}

export interface DatasetStage {
  name: string;
  rowType: { name: string; schema: unknown };
  rows: { count: number } | { for: { binder: string; kind: 'event' | 'trajectory' | 'source'; from: string; event?: string; each: number } };
  vary: VaryStage[];
  steps: DatasetStep[];
  keep: string[];
  unique: { expr: ExprIR; similarity: number | null }[];
  expects: { expr: ExprIR; text: string }[];
  /** `path` may hold `{split}`: one file per split. `hf`: a Hugging Face dataset folder (Parquet files and a card) */
  output: { path: string; format: 'jsonl' | 'csv' | 'parquet' | 'hf' };
  /** `format chat`: role templates (system, user, assistant), or `messages`, a whole conversation */
  chat: Record<string, ExprIR> | null;
  /** the tools the conversations call (absent: none) */
  tools?: ChatTool[];
  /** the model blocks this dataset's calls can reach: the prompts' models, those chosen with `using`, and their
   *  fallbacks (sorted; absent: the dataset calls no model) */
  models?: string[];
  split: Record<string, number> | null;
  seed: number;
  prompts: string[];
  sims: string[];
  sources: string[];
  /** top-level row fields of type `image`: each written row becomes one line per image (absent: none) */
  images?: string[];
  hash: string;
}

export interface SourceStage {
  name: string;
  glob: string;
  chunk: number;
  overlap: number;
  hash: string;
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
