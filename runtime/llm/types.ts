// Shared types of the LLM runtime. The dataset executor builds a `ModelProfile` from a plan's model stage (with
// env() values resolved at run time) and calls `LlmClient.call` once per (dataset, row, call).

/** One `model` block, resolved for a run. Secrets are not part of it: the key is passed to the client apart. */
export interface ModelProfile {
  /** the model block's name in the spec */
  id: string;
  /** model name sent to the endpoint */
  model: string;
  /** OpenAI-compatible base URL, e.g. https://api.openai.com/v1 */
  baseUrl: string;
  /** name of the environment variable holding the key (for error messages only; never the key itself) */
  apiKeyEnv?: string;
  temperature?: number;
  maxTokens?: number;
  /** requests in flight (upper bound; adaptive concurrency may run fewer while the endpoint pushes back) */
  concurrency: number;
  /** requests per minute */
  rpm?: number;
  /** tokens per minute (prompt + completion) */
  tpm?: number;
  /** attempts after the first, shared by transport faults and invalid responses */
  retries: number;
  /** per-request timeout */
  timeoutMs: number;
  /** extra request-body parameters sent as they are (e.g. top_p, seed); part of the cache key */
  extra?: Record<string, unknown>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** JSON Schema of the return type; absent for `-> string` prompts (the answer is the text) */
  schema?: object;
  /** name for response_format.json_schema.name ([a-zA-Z0-9_-], ≤ 64 chars; sanitised by the client) */
  schemaName: string;
  /** stable identity of (dataset, row, attempt, call): part of the cache key, so equal prompts on two rows are
   *  two samples and a cache hit never clones a row */
  rowKey: string;
}

export interface Usage {
  prompt: number;
  completion: number;
}

export interface ChatResult {
  value: unknown;
  /** tokens over all attempts of this call (0 for a cache hit: nothing was spent) */
  usage: Usage;
  /** the model name as the endpoint reported it */
  modelReported: string;
  cached: boolean;
  /** HTTP requests made for this call (0 for a cache hit) */
  attempts: number;
  /** true when more than one request was needed */
  retried: boolean;
}

/** Why one attempt failed; also the kinds counted in events and stats. */
export type FailureKind =
  | 'rate_limit' // 429
  | 'server' // 5xx
  | 'timeout'
  | 'network' // connection reset, truncated body
  | 'malformed' // content is not JSON (or the HTTP body is not a chat completion)
  | 'truncated' // finish_reason = length
  | 'invalid' // JSON that fails validation
  | 'refusal' // the model declined (message.refusal): retried at most once
  | 'client'; // other 4xx: not retried

/** Observability hooks: the executor can count, log (no secrets are ever in an event) or drive a progress bar. */
export type LlmEvent =
  | { type: 'request'; rowKey: string; attempt: number }
  | { type: 'response'; rowKey: string; attempt: number; ms: number; usage: Usage }
  | { type: 'retry'; rowKey: string; attempt: number; kind: FailureKind; delayMs: number; detail: string }
  | { type: 'cache_hit'; rowKey: string }
  | { type: 'failed'; rowKey: string; attempts: number; kind: FailureKind; detail: string }
  | { type: 'concurrency'; limit: number; reason: string };
