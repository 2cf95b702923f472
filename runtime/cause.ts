// Why a row failed, in a form people can act on: one `FailureCause` per failed row, grouped by `key` into a
// tally (count + first example) for the end-of-run summary and the manifest. Built where the failure is first
// understood — the LLM client for endpoint and answer faults, the row producer for evaluation and value
// errors — and never holding a secret (messages are scrubbed of the API key before they get here).

export type CauseKind =
  | 'refusal' // the model declined (its refusal text)
  | 'max_tokens' // the answer was cut off at max_tokens
  | 'schema' // the answer did not match the return type (JSON pointer of the field)
  | 'malformed' // the answer was not JSON / not a chat completion
  | 'http' // the endpoint answered with an HTTP error (status + host)
  | 'connection' // no HTTP answer: refused, DNS, reset, TLS
  | 'timeout' // no answer within `timeout`
  | 'evaluation' // a row expression failed (expression and values)
  | 'value' // a value cannot be written as it is (non-finite number, inexact integer)
  | 'budget' // --budget was reached before the call
  | 'stopped'; // the dataset stopped before this row was made (fail fast, circuit breaker)

export interface FailureCause {
  kind: CauseKind;
  /** what groups rows under one cause: the kind plus what tells causes of that kind apart (pointer, status and
   *  host, expression), never a row-specific value */
  key: string;
  /** one line for people: what happened and, where it helps, what to do */
  message: string;
  /** the next run fails the same way: the row's inputs make the failure (an expression out of its domain, a
   *  value that cannot be written, a dataset whose row indices ran out), unlike an endpoint's fault */
  repeats?: true;
}

/** One group of failed rows: the cause's first example, how many rows, and the first row index. */
export interface CauseGroup {
  kind: CauseKind;
  key: string;
  count: number;
  example: string;
  row: number;
  /** see FailureCause */
  repeats?: true;
}

/** Failed rows grouped by cause, in the order causes were first seen. */
export class CauseTally {
  private readonly groups = new Map<string, CauseGroup>();

  /** Counts `count` rows (default 1) under `cause`; `row` is the first one's index (-1: none in particular). */
  add(cause: FailureCause, row: number, count = 1): void {
    const g = this.groups.get(cause.key);
    if (g) g.count += count;
    else this.groups.set(cause.key, { kind: cause.kind, key: cause.key, count, example: cause.message, row, ...(cause.repeats ? { repeats: true as const } : {}) });
  }

  /** Groups, largest first (ties: first seen first). */
  list(): CauseGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count);
  }

  get size(): number {
    return this.groups.size;
  }
}

/** A cause that carries no detail beyond its message (budget, stopped). */
export function simpleCause(kind: CauseKind, message: string): FailureCause {
  return { kind, key: `${kind}: ${message}`, message };
}

/** The host (and port) of an endpoint URL, for messages: never its path, query or credentials. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return 'the endpoint';
  }
}

/** The cause an error carries in its `failure` property (the LLM client's call errors), if any. */
export function failureOf(e: unknown): FailureCause | undefined {
  const c = (e as { failure?: unknown } | null)?.failure;
  return c && typeof c === 'object' && typeof (c as FailureCause).kind === 'string' && typeof (c as FailureCause).key === 'string' ? (c as FailureCause) : undefined;
}
