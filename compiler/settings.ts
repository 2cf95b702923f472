// Which `key value` settings each block accepts, and what kind of value each takes. One table, so the checker,
// the language server's completion and docs/language.md agree.

export type SettingKind =
  | 'int'
  | 'number'
  | 'string'
  | 'duration'
  | 'template'
  | 'split' // record of fractions summing to 1
  | 'price' // record { input, output } in USD per 1M tokens (or { image } per image)
  | 'modelRef'
  | 'ident'; // one of `values`

export interface SettingSpec {
  kind: SettingKind;
  doc: string;
  /** May the value be `env("NAME", default?)`, read at run time? */
  env?: boolean;
  min?: number;
  max?: number;
  values?: string[];
  required?: boolean;
  /** A secret: only `env("NAME")` is accepted, never a literal (SYN4003), so it never reaches plans or git. */
  secret?: boolean;
}

export const GOAL_SETTINGS: Record<string, SettingSpec> = {
  seed: { kind: 'int', doc: 'global seed: every random draw is a pure function of it', min: 0 },
  split: { kind: 'split', doc: 'named splits and their fractions, e.g. `{ train: 0.9, test: 0.1 }`' },
  purpose: { kind: 'string', doc: 'what the data is for (recorded in the manifest)' },
};

export const MODEL_SETTINGS: Record<string, SettingSpec> = {
  provider: { kind: 'ident', values: ['openai'], doc: 'API dialect; `openai` covers any OpenAI-compatible server (vLLM, Ollama, llama.cpp)' },
  name: { kind: 'string', doc: 'model name sent to the endpoint', required: true, env: true },
  base_url: { kind: 'string', doc: 'endpoint base URL', env: true },
  api_key: { kind: 'string', doc: 'API key; must be `env("NAME")` so it never reaches plans or git', env: true, secret: true },
  temperature: { kind: 'number', doc: 'sampling temperature', min: 0, max: 2 },
  top_p: { kind: 'number', doc: 'nucleus sampling', min: 0, max: 1 },
  max_tokens: { kind: 'int', doc: 'completion token limit', min: 1 },
  concurrency: { kind: 'int', doc: 'requests in flight', min: 1, max: 100_000 },
  rpm: { kind: 'int', doc: 'requests per minute', min: 1 },
  tpm: { kind: 'int', doc: 'tokens per minute', min: 1 },
  retries: { kind: 'int', doc: 'attempts after the first, for faults and invalid responses', min: 0, max: 100 },
  max_consecutive_failures: { kind: 'int', doc: 'requests in a row that may fail (any cause but rate limiting) before the dataset stops (default 20)', min: 1 },
  timeout: { kind: 'duration', doc: 'per-request timeout, e.g. `60s`' },
  price: { kind: 'price', doc: 'USD per 1M tokens: `{ input: 0.15, output: 0.60 }`; images: `{ image: 0.02 }`' },
  mode: { kind: 'ident', values: ['direct', 'batch'], doc: '`batch` sends requests through the provider Batch API' },
  seed: { kind: 'int', doc: 'seed sent to the endpoint where supported', min: 0 },
};

export const PROMPT_SETTINGS: Record<string, SettingSpec> = {
  model: { kind: 'modelRef', doc: 'the model block to call', required: true },
  system: { kind: 'template', doc: 'system message template' },
  user: { kind: 'template', doc: 'user message template', required: true },
  assistant: { kind: 'template', doc: 'an assistant message (few-shot example) template' },
  temperature: { kind: 'number', doc: 'overrides the model temperature', min: 0, max: 2 },
  max_tokens: { kind: 'int', doc: 'overrides the model max_tokens', min: 1 },
  size: { kind: 'string', doc: 'image size for `-> image` prompts, e.g. "512x512"' },
  images: { kind: 'int', doc: 'images per call for `-> image` prompts', min: 1, max: 16 },
};

export const SOURCE_SETTINGS: Record<string, SettingSpec> = {
  chunk: { kind: 'int', doc: 'chunk size in tokens', min: 16 },
  overlap: { kind: 'int', doc: 'tokens shared by consecutive chunks', min: 0 },
};

export const DATASET_SETTINGS: Record<string, SettingSpec> = {
  split: { kind: 'split', doc: 'overrides the goal split for this dataset' },
  seed: { kind: 'int', doc: 'overrides the goal seed for this dataset', min: 0 },
};
