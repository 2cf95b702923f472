// What a model block names at run time: its settings with `env("NAME", default)` read from the environment,
// and the identity of its endpoint. Both the cache key of a call (cache.ts) and a row's provenance
// (dataset/provenance.ts) are built from these resolved values, never from the plan's symbolic `env(...)`:
// `name env("MODEL", "gpt-4o-mini")` run with MODEL=gpt-4o is another model, and its rows and answers are
// other rows and answers. The API key is read here too (wiring.ts) but never enters an identity.
import type { Setting } from '../../compiler/plan/schema.js';

/** The endpoint a model block without `base_url` calls. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** A setting's run-time value: `env("NAME", default)` read from `env` (undefined when unset and without a
 *  default), a literal as its text. */
export function resolveSetting(v: Setting | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'env' in v) return env[v.env as string] ?? (v.default as string | undefined);
  return String(v);
}

/** A setting with `env(...)` replaced by its run-time value (a literal stays as it is, so hashes of literal
 *  settings do not change); an unset variable without a default is null. */
export function resolvedSetting(v: Setting | undefined, env: NodeJS.ProcessEnv): Setting | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object' && 'env' in v) return resolveSetting(v, env) ?? null;
  return v;
}

/**
 * The identity of an endpoint for cache keys: its URL without credentials (`user:pass@`), fragment or trailing
 * slashes, so `http://h/v1/` and `http://h/v1` are one endpoint. Text that is not a URL is kept as it is.
 */
export function endpointIdentity(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    u.username = '';
    u.password = '';
    u.hash = '';
    return u.toString().replace(/\/+(?=$|\?)/, '');
  } catch {
    return baseUrl;
  }
}
