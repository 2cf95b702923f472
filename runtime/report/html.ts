// Putting hostile values into HTML safely. Every value in a report comes from data or a model and may be
// `</script><script>alert(1)</script>`, so: text and attribute values are entity-escaped; data for scripts goes
// in a `<script type="application/json">` block with `<`, `>` and `&` escaped (it can never close the block or
// open a comment), and is read with JSON.parse; and the page's Content-Security-Policy runs only the scripts
// and styles whose SHA-256 hashes it names, so an injected handler or script would not run even if escaping
// failed (OWASP XSS Prevention Cheat Sheet, rules 1, 2 and 3.1; CSP Level 3 hash-source).
import { createHash } from 'node:crypto';
import { escapeUnsafe } from '../../base/unsafe-text.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A value as text a reader sees for what it is: controls and bidi formatting characters (which would reorder the
 * text around them: `\u202eRTL gnp.exe` shows as "exe.png LTR"; base/unsafe-text.ts) become visible `\uXXXX`
 * escapes; tabs and line breaks stay (HTML shows them as spaces).
 */
export function visibleText(s: string): string {
  return escapeUnsafe(s, '\t\n\r');
}

/** Escapes a value for an HTML text node or a quoted attribute value (made visible first: `visibleText`). */
export function esc(s: unknown): string {
  return visibleText(String(s)).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JavaScript line separators as
 * `\uXXXX` escapes, so no value can end the block (`</script>`) or start a comment (`<!--`).
 */
export function jsonForScript(value: unknown): string {
  // strings made visible (`visibleText`): chart labels are data too, painted as they are by Chart.js
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? visibleText(v) : v)).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** The CSP `'sha256-…'` source for an inline script or style element's exact text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The report's Content-Security-Policy: nothing loads or runs unless listed — the given inline scripts and
 * styles by hash, images from the report's own folder (`'self'`, `file:`) or inline data; no network
 * (`connect-src`, fonts, frames, objects all fall back to `default-src 'none'`), no inline event handlers
 * (no `'unsafe-inline'`), no `<base>` or form targets.
 */
export function contentSecurityPolicy(scripts: string[], styles: string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(cspHash).join(' ')}`,
    `style-src ${styles.map(cspHash).join(' ')}`,
    "img-src 'self' file: data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** A relative path from data, fit for an `src`: anything with a scheme, a leading slash or a backslash is refused. */
export function relativeSrc(p: string): string | undefined {
  if (!p || /^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/') || p.includes('\\')) return undefined;
  return p;
}
