// Turning literal token images into values: numbers with `_`, durations, escaped and triple-quoted strings.
// Triple-quoted strings are dedented (common leading indentation removed, first and last blank lines dropped),
// so prompts can be indented with the code around them.

/**
 * A number literal's value with `_` separators removed; `isFloat` when it has a `.` or an exponent. The value
 * may be NaN or ±Infinity for a malformed or huge literal: the caller reports it (SYN0005).
 */
export function parseNumber(raw: string): { value: number; isFloat: boolean } {
  const clean = raw.replace(/_/g, '');
  return { value: Number(clean), isFloat: /[.eE]/.test(clean) };
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** A duration literal (`500ms`, `60s`, `5m`, `1h`) in milliseconds; NaN when malformed. */
export function parseDuration(raw: string): number {
  const m = /^([\d_]+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw);
  if (!m) return NaN;
  return Number(m[1]!.replace(/_/g, '')) * durationUnits[m[2]!]!;
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '{': '{', '}': '}', '0': '\0' };
/** The character an escape `\c` stands for (`n` → newline, `{` → `{`, …); any other character stands for itself. */
export function unescapeChar(c: string): string {
  return escapes[c] ?? c;
}

/** The content between the quotes, and its offset within the raw image. Tolerates a missing closing quote. */
export function stringContent(raw: string): { content: string; offset: number; triple: boolean } {
  if (raw.startsWith('"""')) {
    const end = raw.length >= 6 && raw.endsWith('"""') ? raw.length - 3 : raw.length;
    return { content: raw.slice(3, end), offset: 3, triple: true };
  }
  const end = raw.length >= 2 && raw.endsWith('"') && !raw.endsWith('\\"') ? raw.length - 1 : raw.length;
  return { content: raw.slice(1, end), offset: 1, triple: false };
}

/**
 * How a triple-quoted string's lines are trimmed: skip the first line if blank, drop the last line if blank,
 * and remove `indent` leading whitespace characters from every line.
 */
export interface Dedent {
  indent: number;
  dropFirstLine: boolean;
  dropLastLine: boolean;
}

/**
 * The dedent of a triple-quoted string's `content`: the smallest indentation of its non-blank lines, and
 * whether its first and last lines are blank (and dropped).
 */
export function computeDedent(content: string): Dedent {
  const lines = content.split('\n');
  const dropFirstLine = lines.length > 1 && lines[0]!.trim() === '';
  const dropLastLine = lines.length > 1 && lines[lines.length - 1]!.trim() === '';
  const body = lines.slice(dropFirstLine ? 1 : 0, dropLastLine ? lines.length - 1 : lines.length);
  let indent = Infinity;
  for (const l of body) {
    if (l.trim() === '') continue;
    indent = Math.min(indent, l.length - l.trimStart().length);
  }
  return { indent: indent === Infinity ? 0 : indent, dropFirstLine, dropLastLine };
}

/** Applies escapes and, for triple-quoted strings, the dedent. Raw CR and CRLF line breaks count as LF (a spec
 *  checked out with Windows line endings means the same strings); an escaped `\r` stays a CR. */
export function stringValue(raw: string): string {
  const { content, triple } = stringContent(raw);
  let text = content.replace(/\r\n?/g, '\n');
  if (triple) {
    const d = computeDedent(text);
    let lines = text.split('\n');
    if (d.dropFirstLine) lines = lines.slice(1);
    if (d.dropLastLine) lines = lines.slice(0, -1);
    text = lines.map((l) => stripIndent(l, d.indent)).join('\n');
  }
  return unescapeAll(text);
}

/** `line` without up to `indent` leading spaces or tabs. */
export function stripIndent(line: string, indent: number): string {
  let i = 0;
  while (i < indent && i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(i);
}

/** `s` with every `\c` escape replaced by the character it stands for. */
export function unescapeAll(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([\s\S])/g, (_, c: string) => unescapeChar(c));
}

/** Quotes a string value as a Synth string literal (used by the formatter and code actions). */
export function quoteString(value: string): string {
  return '"' + value.replace(/[\\"{}\n\t\r]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '{': '\\{', '}': '\\}', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c]!) + '"';
}
