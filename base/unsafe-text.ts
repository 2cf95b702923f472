// Characters that must never reach a terminal (or an editor's hover) as they are, from a spec, data or a model:
// C0/C1 controls (ESC starts escape sequences: cursor moves, colours, window titles; BEL, CR, DEL) and the bidi
// formatting characters that reorder what is shown (U+061C, U+200E/F, U+202A–202E, U+2066–2069; "Trojan Source",
// CVE-2021-42574), plus the Unicode line and paragraph separators (U+2028/9).

/** Matches one unsafe character (global: use with `replace`). */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** `s` with each unsafe character written as a visible `\uXXXX` escape, except those in `keep` (e.g. "\t\n\r"
 *  where the medium shows them as whitespace). */
export function escapeUnsafe(s: string, keep = ''): string {
  return s.replace(UNSAFE_CHARS, (c) => (keep.includes(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
