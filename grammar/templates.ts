// Prompt templates: a string in template position is literal text with `{expr}` holes. The hole's text is
// parsed with the ordinary expression grammar (via the `parseHole` callback) at its real offset, so errors and
// editor features point into the string. `\{` and `\}` are literal braces; a stray `}` is literal too, so
// JSON examples read naturally. Triple-quoted templates are dedented first (see literals.ts).
import type { Expr, Span, Template, TemplatePart } from './ast.js';
import { computeDedent, stringContent, unescapeChar } from './literals.js';

/** A malformed hole: `unclosed` — a `{` without its `}` (SYN0004); `empty` — `{}` with nothing inside (SYN0011). */
export interface TemplateProblem {
  span: Span;
  kind: 'unclosed' | 'empty';
}

/** The template's characters after dedent (`text`), with the absolute file offset of each (`offs`). Raw CR and
 *  CRLF line breaks count as LF: the same spec checked out with Windows line endings is the same prompt text
 *  (and hits the same cache entries); an escaped `\r` stays a CR. */
function dedentedChars(raw: string, base: number): { text: string; offs: number[] } {
  const { content, offset, triple } = stringContent(raw);
  const start = base + offset;
  let plain = '';
  const at: number[] = [];
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (c === '\r') {
      if (content[i + 1] === '\n') continue; // CRLF: the LF stands for both
      plain += '\n';
    } else plain += c;
    at.push(start + i);
  }
  if (!triple) return { text: plain, offs: at };
  const d = computeDedent(plain);
  const lines = plain.split('\n');
  let text = '';
  const offs: number[] = [];
  let pos = 0;
  lines.forEach((line, li) => {
    const lineStart = pos;
    pos += line.length + 1;
    if (li === 0 && d.dropFirstLine) return;
    if (li === lines.length - 1 && d.dropLastLine) return;
    let i = 0;
    while (i < d.indent && i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (offs.length > 0) {
      text += '\n';
      offs.push(at[lineStart - 1]!);
    }
    text += line.slice(i);
    for (; i < line.length; i++) offs.push(at[lineStart + i]!);
  });
  return { text, offs };
}

/**
 * Splits a template string token (`raw`, its image; `span`, its place in the file) into text and `{expr}` holes,
 * parsing each hole with `parseHole(text, fileOffset)`. Triple-quoted templates are dedented first; offsets stay
 * those of the file. Malformed holes are returned as `problems` (SYN0004 unclosed, SYN0011 empty), not thrown.
 */
export function parseTemplate(
  raw: string,
  span: Span,
  parseHole: (text: string, offset: number) => Expr,
): { template: Template; problems: TemplateProblem[] } {
  const { text: chars, offs } = dedentedChars(raw, span.start);
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let text = '';
  let textStart = -1;
  const flush = (end: number) => {
    if (text) parts.push({ kind: 'Text', text, span: { start: textStart, end } });
    text = '';
    textStart = -1;
  };
  const addText = (s: string, o: number) => {
    if (textStart < 0) textStart = o;
    text += s;
  };

  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const o = offs[i]!;
    if (c === '\\' && i + 1 < chars.length) {
      addText(unescapeChar(chars[i + 1]!), o);
      i++;
      continue;
    }
    if (c !== '{') {
      addText(c, o);
      continue;
    }
    // Find the matching `}`, skipping nested braces and string literals inside the hole.
    let depth = 1;
    let j = i + 1;
    let inStr = false;
    for (; j < chars.length; j++) {
      const cj = chars[j]!;
      if (inStr) {
        if (cj === '\\') j++;
        else if (cj === '"') inStr = false;
      } else if (cj === '"') inStr = true;
      else if (cj === '{') depth++;
      else if (cj === '}' && --depth === 0) break;
    }
    if (j >= chars.length) {
      problems.push({ span: { start: o, end: o + 1 }, kind: 'unclosed' });
      addText(chars.slice(i), o);
      break;
    }
    flush(o);
    const holeSpan = { start: o, end: offs[j]! + 1 };
    const innerText = chars.slice(i + 1, j);
    if (innerText.trim() === '') {
      problems.push({ span: holeSpan, kind: 'empty' });
    } else {
      parts.push({ kind: 'Hole', expr: parseHole(innerText, offs[i + 1]!), span: holeSpan });
    }
    i = j;
  }
  flush(span.end - (raw.startsWith('"""') ? 3 : 1));
  return { template: { kind: 'Template', parts, raw, triple: raw.startsWith('"""'), span }, problems };
}
