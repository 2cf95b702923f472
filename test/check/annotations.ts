// Expected diagnostics written in the fixture itself, rust-analyzer/BAML style, so a fixture reads as a spec
// with its errors marked where they occur:
//
//     count "ten"            // error: SYN2001 @9
//     split { a: 0.5 }       // error: SYN3001 @9; warning: SYN3009 @3
//
// A trailing `// SEVERITY: CODE @COL` (several joined by `; `) marks diagnostics that start on that line, at
// that 1-based column. Where a trailing comment would change the code (the line ends inside a string or a
// block comment) the expectation goes on a footer line instead: `// expect 12:5 error: SYN0004`.
// Run the tests with UPDATE=1 to rewrite the annotations from what the checker reports now.
import type { Diagnostic } from '../../base/diagnostics.js';
import * as T from '../../grammar/lexer.js';
import { LineIndex } from '../../base/source.js';

export interface Expected {
  line: number; // 1-based
  col: number; // 1-based
  severity: string;
  code: string;
}

const ITEM = /(error|warning|info|hint): (SYN\d{4}) @(\d+)/g;
const TRAILING = /\s*\/\/ (?:(?:error|warning|info|hint): SYN\d{4} @\d+(?:; )?)+$/;
const FOOTER = /^\/\/ expect (\d+):(\d+) (error|warning|info|hint): (SYN\d{4})$/;

export function key(e: Expected): string {
  return `${e.line}:${e.col} ${e.severity} ${e.code}`;
}

export function readAnnotations(text: string): Expected[] {
  const out: Expected[] = [];
  text.split('\n').forEach((line, i) => {
    const f = FOOTER.exec(line);
    if (f) {
      out.push({ line: Number(f[1]), col: Number(f[2]), severity: f[3]!, code: f[4]! });
      return;
    }
    const m = TRAILING.exec(line);
    if (!m) return;
    for (const it of m[0].matchAll(ITEM)) out.push({ line: i + 1, col: Number(it[3]), severity: it[1]!, code: it[2]! });
  });
  return out.sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
}

export function actualOf(diags: Diagnostic[], text: string): Expected[] {
  const li = new LineIndex(text);
  return diags
    .map((d) => {
      const p = li.position(d.span.start);
      return { line: p.line + 1, col: p.character + 1, severity: d.severity, code: d.code };
    })
    .sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
}

/** Offsets covered by tokens a trailing comment must not be appended inside (strings, block comments). */
function protectedRanges(text: string): Array<{ start: number; end: number; open: boolean }> {
  const lexed = T.synthLexer.tokenize(text);
  const all = [...lexed.tokens, ...((lexed.groups['comments'] ?? []) as typeof lexed.tokens)];
  return all
    .filter((t) => /String|BlockComment/.test(t.tokenType.name))
    .map((t) => ({ start: t.startOffset, end: t.startOffset + t.image.length, open: t.tokenType.name.startsWith('Unterminated') }));
}

/** The text with its annotations replaced by `actual`. */
export function rewriteAnnotations(text: string, actual: Expected[]): string {
  const lines = text.split('\n').filter((l) => !FOOTER.test(l)).map((l) => l.replace(TRAILING, ''));
  let base = lines.join('\n');
  while (base.endsWith('\n\n')) base = base.slice(0, -1);
  const clean = base.split('\n');
  const li = new LineIndex(base);
  const ranges = protectedRanges(base);
  const byLine = new Map<number, Expected[]>();
  const footer: Expected[] = [];
  for (const a of actual) {
    const lineEnd = li.offset({ line: a.line - 1, character: Number.MAX_SAFE_INTEGER });
    const inside = a.line > clean.length || ranges.some((r) => r.start < lineEnd && (lineEnd < r.end || (r.open && lineEnd === r.end)));
    if (inside) footer.push(a);
    else byLine.set(a.line, [...(byLine.get(a.line) ?? []), a]);
  }
  const out = clean.map((l, i) => {
    const as = byLine.get(i + 1);
    if (!as) return l;
    return `${l}${l.length ? '   ' : ''}// ${as.map((a) => `${a.severity}: ${a.code} @${a.col}`).join('; ')}`;
  });
  let result = out.join('\n');
  if (footer.length) {
    if (!result.endsWith('\n')) result += '\n';
    result += footer.map((a) => `// expect ${a.line}:${a.col} ${a.severity}: ${a.code}`).join('\n') + '\n';
  }
  return result;
}
