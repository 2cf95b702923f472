// Canonical JSON: object keys sorted at every level, two-space indentation, a final newline. The same value
// always serialises to the same bytes, so plans diff cleanly in git and hashes are stable.
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * `v` as JSON with object keys sorted at every level; `undefined` members dropped, `undefined`/`null` → null,
 * non-finite numbers → their string (`"Infinity"`), so the result always serialises.
 */
export function sortKeys(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v as Json;
}

/** The canonical JSON text of `v` (sorted keys, `indent` spaces, final newline): same value, same bytes. */
export function canonicalJson(v: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(v), null, indent) + '\n';
}

/** The SHA-256 of `text` (UTF-8 for a string) as 64 lowercase hex digits. */
export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A short content hash of a value's canonical form. */
export function contentHash(v: unknown): string {
  return sha256(JSON.stringify(sortKeys(v))).slice(0, 16);
}
