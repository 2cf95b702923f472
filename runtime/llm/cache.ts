// The on-disk cache of finished LLM calls, under `<project>/.synth/cache/llm/`.
//
// Key: sha256 of the canonical JSON (sorted keys) of { model, endpoint, params, messages, schema, rowKey } — what
// is sent and where (the model name and the endpoint as resolved at run time, so a model switched through
// `env()` or another endpoint serving the same name never answers from the other's entries), plus the row's
// identity, so two rows that happen to send the same prompt stay two samples. Only *valid* final answers are
// stored (value, reported model, usage); never the API key, headers, base URL or the request itself.
// Entries are lines of append-only logs (cache-log.ts), one log per process, each line checking itself, so a
// crash never leaves a torn entry that is read and concurrent runs can share the folder. Entries of the earlier
// layout (one file per entry, `llm/ab/<key>.json`) are still read. The whole folder is safe to delete: it only
// saves calls.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFile } from 'node:fs';
import * as path from 'node:path';
import { CacheLog } from './cache-log.js';
import type { ChatMessage, Usage } from './types.js';

export interface CacheKeyInput {
  /** the model name sent (resolved) */
  model: string;
  /** the endpoint it is sent to (endpoint.ts `endpointIdentity`: no credentials) */
  endpoint: string;
  params: Record<string, unknown>;
  messages: readonly ChatMessage[];
  schema: object | undefined;
  rowKey: string;
}

export interface CacheEntry {
  value: unknown;
  usage: Usage;
  model: string;
}

/** JSON with object keys sorted at every level (arrays keep their order); `undefined` members are left out. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return v === undefined ? 'null' : JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k])).join(',') + '}';
}

/**
 * The canonical JSON of an object that is used as a key part again and again and never changed (a client's
 * params, a prompt's schema): computed once per object. Re-serialising the schema was the largest part of a
 * call's own CPU time in `synth run` (bench/RESULTS.md, `synth run` end to end).
 */
const frozenJson = new WeakMap<object, string>();
function canonicalOnce(o: object): string {
  let s = frozenJson.get(o);
  if (s === undefined) frozenJson.set(o, (s = canonicalJson(o)));
  return s;
}

/**
 * The cache key of a call: sha256 (hex) of the canonical JSON of what is sent and the row's identity —
 * `canonicalJson({ v: 1, model, endpoint, params, messages, schema: schema ?? null, rowKey })`, written out in
 * its sorted key order so that `params` and `schema` (treated as immutable: their JSON is memoised per object)
 * are serialised once.
 */
export function cacheKey(input: CacheKeyInput): string {
  const { model, endpoint, params, messages, schema, rowKey } = input;
  const text =
    '{"endpoint":' + JSON.stringify(endpoint) +
    ',"messages":' + canonicalJson(messages) +
    ',"model":' + JSON.stringify(model) +
    ',"params":' + canonicalOnce(params) +
    ',"rowKey":' + JSON.stringify(rowKey) +
    ',"schema":' + (schema ? canonicalOnce(schema) : 'null') +
    ',"v":1}';
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A key shorter than this is not treated as a secret to keep out of the cache and messages: `none` (what local
 * servers take, and what docs/runtime.md suggests) or `x` would otherwise keep every answer containing that
 * word out of the cache, and blank it out of error messages. Real API keys are far longer (OpenAI's: 51+).
 */
export const MIN_SECRET_LENGTH = 8;

/** The secrets worth guarding among `keys`: those at least MIN_SECRET_LENGTH characters long. */
export function guardedSecrets(keys: readonly string[]): string[] {
  return keys.filter((k) => k.length >= MIN_SECRET_LENGTH);
}

/** Why an answer was not cached: it contains the API key, or the cache folder refused the write. */
export type CacheProblem = { kind: 'secret' } | { kind: 'write'; error: unknown };

export class ResponseCache {
  /** the cache's folder: `<cacheDir>/llm` */
  readonly dir: string;
  private readonly secrets: readonly string[];
  private log: CacheLog | undefined;
  /** whether entries of the one-file-per-entry layout may be here (looked at once) */
  private legacy: boolean | undefined;

  /**
   * `cacheDir` is the project's `.synth/cache`; entries go to its `llm/` subfolder. An entry containing one of
   * `secrets` (of at least MIN_SECRET_LENGTH characters) is never written. `onProblem` hears of every entry
   * `keep` could not store (the caller says so once).
   */
  constructor(
    cacheDir: string,
    secrets: readonly string[] = [],
    private readonly onProblem?: (p: CacheProblem) => void,
  ) {
    this.dir = path.join(cacheDir, 'llm');
    this.secrets = guardedSecrets(secrets);
  }

  /** Stores an entry (set) and never throws: an entry that could not be stored is told to `onProblem` — it
   *  costs a call on the next run, never the row. */
  async keep(key: string, entry: CacheEntry): Promise<void> {
    try {
      if (!(await this.set(key, entry))) this.onProblem?.({ kind: 'secret' });
    } catch (error) {
      this.onProblem?.({ kind: 'write', error });
    }
  }

  private store(): CacheLog {
    return (this.log ??= CacheLog.acquire(this.dir));
  }

  /** The entry stored under `key`, or undefined (a miss, or an entry that fails its check). */
  async get(key: string): Promise<CacheEntry | undefined> {
    const json = await this.store().get(key);
    if (json !== undefined) return entryOf(json);
    if ((this.legacy ??= hasLegacyEntries(this.dir))) {
      const file = path.join(this.dir, key.slice(0, 2), key + '.json');
      if (!existsSync(file)) return undefined;
      const text = await new Promise<string | undefined>((resolve) => readFile(file, 'utf8', (e, t) => resolve(e ? undefined : t)));
      return text === undefined ? undefined : entryOf(text);
    }
    return undefined;
  }

  /** Stores an entry. Returns false (and stores nothing) if the entry would contain a secret; throws when the
   *  log cannot be written (a full disk). */
  async set(key: string, entry: CacheEntry): Promise<boolean> {
    const json = JSON.stringify({ k: key, v: 1, value: entry.value, usage: entry.usage, model: entry.model });
    for (const s of this.secrets) if (json.includes(s)) return false;
    this.store().put(key, json);
    return true;
  }

  /** Lets go of the log store (the last client of a folder closes its files). */
  close(): void {
    this.log?.release();
    this.log = undefined;
  }
}

/** A stored entry from its JSON, or undefined when it is not one (a damaged or foreign file: a miss). */
function entryOf(json: string): CacheEntry | undefined {
  try {
    const e = JSON.parse(json) as { v?: number } & Partial<CacheEntry>;
    if (e.v !== 1 || e.usage === undefined || typeof e.model !== 'string' || !('value' in e)) return undefined;
    return { value: e.value, usage: e.usage, model: e.model };
  } catch {
    return undefined;
  }
}

/** Does `dir` hold two-hex-digit folders of the one-file-per-entry layout? */
function hasLegacyEntries(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => /^[0-9a-f]{2}$/.test(n));
  } catch {
    return false;
  }
}
