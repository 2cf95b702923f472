// The options of the runtime's two entry points, typed once: `dryRun(plan, options)` (dry-run.ts) takes the
// first group, `run(plan, options)` (run-plan.ts) all of them. The CLI fills them from its flags; tests fill
// them directly. Everything the LLM wiring needs (env, fetch, backoff, batch) enters here and nowhere else.
import type { PlanEstimate } from '../../compiler/plan/estimate.js';
import type { PromptRunner, Progress } from '../dataset/execute.js';
import type { WriteFaults } from '../dataset/file-io.js';

export type Backend = 'cpu' | 'webgpu' | 'auto';

/** Which work a run covers and where its inputs are: shared by `dryRun` and `run`. */
export interface DryRunOptions {
  /** the spec's folder: outputs, sources and `.synth/` (cache, journal) resolve against it */
  projectRoot: string;
  /** only these datasets, in declaration order (default all); an unknown name is SYN5006 */
  datasets?: string[];
  /** at most this many rows per dataset */
  limit?: number;
  /** simulation backend (default auto: WebGPU when it works, else CPU) */
  backend?: Backend;
  /** bytes a simulation may need, estimated before it allocates (SYN6005 above it); default the machine's memory */
  maxMemory?: number;
  /** allow output and document paths outside the project folder */
  allowOutsideProject?: boolean;
  /** one-line notices for people (backend fallbacks and the like) */
  onNotice?: (line: string) => void;
  /** a simulation started or finished (the CLI's progress display shows it as a phase) */
  onSim?: (e: SimPhase) => void;
}

/**
 * A simulation phase for progress displays. `start`: the backend asked for and the sim's size; `steps`: steps
 * done so far (0..steps, fractional on the CPU backend, whose chunks of worlds advance in turn), sent as the
 * backend reports them (the CPU every 50 ms when it moved, WebGPU after each chunk of up to 256 steps); `done`: the
 * backend that ran (`cpu` after a fallback from auto), wall time in ms and agent-steps simulated (agents × steps
 * × worlds), from which a display derives steps per second.
 */
export type SimPhase =
  | { state: 'start'; sim: string; backend: Backend; worlds: number; agents: number; steps: number }
  | { state: 'steps'; sim: string; done: number; steps: number }
  | { state: 'done'; sim: string; backend: string; worlds: number; ms: number; agentSteps: number };

/** How prompt calls reach their endpoints (runtime/wiring.ts); tests point them at a fake server. */
export interface ConnectionOptions {
  /** where `env("NAME")` settings are read (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** the HTTP client for every LLM request (default: the global fetch over a keep-alive pool) */
  fetch?: typeof fetch;
  /** first retry backoff in ms for clients and schedulers (tests shorten it; capped at 20 × the base) */
  backoffBaseMs?: number;
  /** `mode batch` models: wait for submitted batches (default) or stop after submitting (`--no-wait`) */
  batch?: { wait: boolean; pollMs?: number; gatherMs?: number };
  /** Ctrl-C: requests not yet sent are not sent (their rows are not made; the next run makes them) */
  interrupted?: () => boolean;
  /** one-line notices for people: here, an answer the LLM cache could not keep (said once per reason) */
  onNotice?: (line: string) => void;
}

/** What `run` needs of the LLM side: a prompt runner per dataset and the model names the endpoints reported. */
export interface PromptWiring {
  /** the runner for a dataset's prompt calls; undefined for a dataset without prompts */
  factory: (dataset: string) => PromptRunner | undefined;
  /** per model block: model names as the endpoints reported them so far */
  modelsReported: () => Record<string, string[]>;
  /** closes connection pools and batch pollers */
  close: () => Promise<void>;
  /** calls that went to a model's `fallback` so far, grouped by (model, fallback, cause) */
  fallbacks?: () => FallbackGroup[];
}

/** Calls that went to a `fallback` model, per (model, fallback, cause of the failure): for the summary and manifest. */
export interface FallbackGroup {
  /** the dataset whose calls these were */
  dataset: string;
  from: string;
  to: string;
  count: number;
  /** why the first model's call failed (its cause's message; the first example) */
  cause: string;
  causeKind: string;
}

export interface RunOptions extends DryRunOptions, ConnectionOptions {
  /** write outputs into this folder instead of the paths in the spec (file names kept) */
  outDir?: string;
  /** discard a previous partial run of the selected datasets */
  fresh?: boolean;
  /** produce only shard `index` of `count` (0 ≤ index < count) */
  shard?: { index: number; count: number };
  /** rows in flight per dataset (default: from the model block, 64 without prompts) */
  concurrency?: number;
  /** USD: refuse to start (SYN5003) when the estimate is over it, and stop cleanly once the spend passes it */
  budgetUsd?: number;
  /** the spec file: `synth.lock` is written beside it after the run (absent: no lock) */
  specPath?: string;
  /** prompt runners wired elsewhere (tests that read the runners' stats); run() then neither builds nor closes its own */
  prompts?: PromptWiring;
  /** the estimate the budget pre-check compares, before anything is sent (called only with budgetUsd) */
  onEstimate?: (estimate: PlanEstimate) => void;
  onProgress?: (dataset: string, p: Progress) => void;
  /** asked between rows; a reason stops the run cleanly (rows so far are kept; rerunning continues) */
  shouldStop?: () => string | undefined;
  /** tests: play a full disk or another write error at a chosen byte */
  faults?: WriteFaults;
}
