// Where a cell is in a table file's text, so a table diagnostic points at the bad cell (not the whole line), and
// the members of a JSONL object as written (JSON.parse keeps the last of a repeated key, silently).
import type { Span } from '../../base/span.js';

/**
 * The span of cell `index` (0-based) of the CSV record starting at offset `from` of `text` (RFC 4180: quoted
 * cells may hold commas, doubled quotes and line breaks), or undefined when the record has fewer cells.
 */
export function csvCellSpan(text: string, from: number, index: number): Span | undefined {
  let cell = 0;
  let start = from;
  let quoted = false;
  for (let i = from; i <= text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') i++;
      else if (ch === '"') quoted = false;
      else if (ch === undefined) return undefined;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',' || ch === '\n' || ch === '\r' || ch === undefined) {
      if (cell === index) return { start, end: i };
      if (ch !== ',') return undefined;
      cell++;
      start = i + 1;
    }
  }
  return undefined;
}

/** One member of a JSON object as written: its key (decoded) and where the key and value are in the line. */
export interface JsonMember {
  key: string;
  keyStart: number;
  valueEnd: number;
}

/**
 * The top-level members of the JSON object `line` (already known to parse as one), in order, repeats included.
 * A linear scan: strings (with escapes) and nesting are skipped, never parsed into values.
 */
export function jsonMembers(line: string): JsonMember[] {
  const out: JsonMember[] = [];
  let depth = 0;
  let i = 0;
  let pending: { key: string; keyStart: number } | undefined;
  let current: { key: string; keyStart: number } | undefined;
  const skipString = (at: number): number => {
    let j = at + 1;
    while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '"') {
      const end = skipString(i);
      if (depth === 1 && !current) pending = { key: JSON.parse(line.slice(i, end)) as string, keyStart: i };
      i = end;
      continue;
    }
    if (ch === ':' && depth === 1 && pending) {
      current = pending;
      pending = undefined;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      if (depth === 1 && current) {
        out.push({ ...current, valueEnd: trimEnd(line, i) });
        current = undefined;
      }
      depth--;
    } else if (ch === ',' && depth === 1 && current) {
      out.push({ ...current, valueEnd: trimEnd(line, i) });
      current = undefined;
    }
    i++;
  }
  return out;
}

/** The end of the text before `at`, without trailing white space. */
function trimEnd(line: string, at: number): number {
  let j = at;
  while (j > 0 && /\s/.test(line[j - 1]!)) j--;
  return j;
}
