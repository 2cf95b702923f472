// Rendering diagnostics for people (file:line:col, message, a source excerpt with a caret) and for tools (JSON).
//
// Output stays linear in the input, whatever the input: each file's line index is built once, excerpts are clipped
// to a window around the caret (a minified or generated spec can have one 150 KB line), and at most
// `maxPerFile` diagnostics are shown per file and four times that in all (a project of 2,000 broken files must
// not print 2,000 files' worth), then "and K more". Text from the spec is shown with terminal
// control characters made visible, so a hostile file cannot move the cursor or recolour the terminal.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../base/diagnostics.js';
import { LineIndex } from '../base/source.js';
import { UNSAFE_CHARS } from '../base/unsafe-text.js';

/** The text of a file the diagnostics point into; undefined when it could not be read. */
export type TextOf = (file: string) => string | undefined;

/** Diagnostics shown per file before "… and K more" (`--max-diagnostics` changes it). */
export const DEFAULT_MAX_PER_FILE = 50;
/** Diagnostics shown in all, as a multiple of the per-file cap. */
const TOTAL_PER_FILE_CAPS = 4;
/** Files named one by one in the summary; the rest are counted in one line. */
const SUMMARY_FILES = 20;
/** Columns of source shown around the caret; longer lines are clipped with an ellipsis on the cut side(s). */
const EXCERPT_WIDTH = 100;
/** Columns kept before the caret when a line is clipped. */
const EXCERPT_LEAD = 30;

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  if (r === '') return '.'; // the working folder itself (`synth check .`)
  return !r.startsWith('..') ? r : file;
}

const useColor = () => process.stderr.isTTY && !process.env['NO_COLOR'];
const paint = (code: string, s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);

/**
 * Makes text safe to print on a terminal: a tab becomes one space (so the caret column stays right) and every other
 * unsafe character (base/unsafe-text.ts: controls such as ESC, BEL, CR, DEL, and bidi overrides) becomes U+FFFD,
 * one for one, so columns do not shift.
 */
export function visible(s: string): string {
  return s.replace(/\t/g, ' ').replace(UNSAFE_CHARS, '\ufffd');
}

/**
 * Writes one line to stderr with every unsafe character made visible (`visible`): for lines that carry a file
 * name, a dataset's note or a message built from data, where a newline or ESC must not start a fake line or an
 * escape sequence. `text` is one line; a newline inside it is shown as U+FFFD.
 */
export function writeLine(text: string): void {
  process.stderr.write(visible(text) + '\n');
}

/** The slice of `line` shown for a caret at `col` of width `width`: `[text, caret column, caret width]`. */
function clip(line: string, col: number, width: number): [string, number, number] {
  if (line.length <= EXCERPT_WIDTH) return [line, col, width];
  const from = Math.max(0, Math.min(col - EXCERPT_LEAD, line.length - EXCERPT_WIDTH));
  const to = Math.min(line.length, from + EXCERPT_WIDTH);
  const head = from > 0 ? '…' : '';
  const tail = to < line.length ? '…' : '';
  const c = col - from + head.length;
  return [head + line.slice(from, to) + tail, c, Math.max(1, Math.min(width, to - col))];
}

/**
 * Renders diagnostics for a terminal, one block per diagnostic (`file:line:col: error SYN1001: message`, the source
 * line clipped around a caret, related notes, the quick fix's title). Line indexes are built once per file.
 */
export class DiagnosticPrinter {
  private readonly index: (file: string) => LineIndex | undefined;
  private readonly shown = new Map<string, number>();
  private readonly hidden = new Map<string, number>();
  private shownTotal = 0;
  private readonly maxTotal: number;

  /**
   * `maxPerFile`: blocks printed per file (≥ 1); at most TOTAL_PER_FILE_CAPS × that in all. The rest are counted
   * and summarised by `summary()`.
   */
  constructor(
    textOf: TextOf,
    private readonly maxPerFile: number = DEFAULT_MAX_PER_FILE,
  ) {
    this.index = lineIndexes(textOf);
    this.maxTotal = maxPerFile * TOTAL_PER_FILE_CAPS;
  }

  /** One diagnostic's block, or undefined once its file (or the whole output) is at its cap (counted instead). */
  render(d: Diagnostic): string | undefined {
    const n = this.shown.get(d.file) ?? 0;
    if (n >= this.maxPerFile || this.shownTotal >= this.maxTotal) {
      this.hidden.set(d.file, (this.hidden.get(d.file) ?? 0) + 1);
      return undefined;
    }
    this.shown.set(d.file, n + 1);
    this.shownTotal++;
    return renderOne(d, this.index(d.file), this.index);
  }

  /**
   * "… and K more in FILE" lines for the first SUMMARY_FILES files with hidden diagnostics, then one line for the
   * rest ("… and K more in N other files"): the summary stays short however many files there are.
   */
  summary(): string[] {
    if (this.hidden.size === 0) return [];
    const plural = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;
    const files = [...this.hidden];
    const lines = files.slice(0, SUMMARY_FILES).map(([file, k]) => `… and ${plural(k, 'more diagnostic')} in ${visible(rel(file))}`);
    const rest = files.slice(SUMMARY_FILES);
    if (rest.length) lines.push(`… and ${plural(rest.reduce((a, [, k]) => a + k, 0), 'more diagnostic')} in ${plural(rest.length, 'other file')}`);
    lines.push(`(showing the first ${this.maxPerFile} per file and ${this.maxTotal} in all; --max-diagnostics N shows N per file and 4 × N in all)`);
    return lines;
  }
}

function renderOne(d: Diagnostic, idx: LineIndex | undefined, indexOf: (file: string) => LineIndex | undefined): string {
  const pos = idx ? idx.position(d.span.start) : { line: 0, character: 0 };
  const sev = d.severity === 'error' ? paint('31;1', 'error') : d.severity === 'warning' ? paint('33;1', 'warning') : d.severity;
  // no text for the file (a folder, a missing spec, a binary table): a line and column would mean nothing
  const where = idx ? `${visible(rel(d.file))}:${pos.line + 1}:${pos.character + 1}` : visible(rel(d.file));
  const lines = [`${where}: ${sev} ${d.code}: ${visible(d.message)}`];
  if (idx) {
    const src = idx.lineText(pos.line);
    const endPos = idx.position(d.span.end);
    const width = endPos.line === pos.line ? Math.max(1, endPos.character - pos.character) : Math.max(1, src.length - pos.character);
    const [shownText, col, w] = clip(src, pos.character, width);
    const gutter = String(pos.line + 1);
    lines.push(`  ${gutter} | ${visible(shownText)}`);
    lines.push(`  ${' '.repeat(gutter.length)} | ${' '.repeat(col)}${paint('31;1', '^'.repeat(w))}`);
  }
  for (const r of d.related ?? []) {
    const p = indexOf(r.file)?.position(r.span.start) ?? { line: 0, character: 0 };
    lines.push(`  note: ${visible(rel(r.file))}:${p.line + 1}:${p.character + 1}: ${visible(r.message)}`);
  }
  if (d.fix) lines.push(`  help: ${visible(d.fix.title)}`);
  return lines.join('\n');
}

/** One diagnostic's block (see DiagnosticPrinter; for several, use one printer so line indexes are shared). */
export function renderDiagnostic(d: Diagnostic, textOf: TextOf): string {
  return new DiagnosticPrinter(textOf, Infinity).render(d)!;
}

/**
 * Writes `diagnostics` to stderr through one printer (capped per file) and returns how many errors and warnings
 * there were, shown or not.
 */
export function printDiagnostics(diagnostics: readonly Diagnostic[], textOf: TextOf, maxPerFile = DEFAULT_MAX_PER_FILE): { errors: number; warnings: number } {
  const printer = new DiagnosticPrinter(textOf, maxPerFile);
  let errors = 0;
  let warnings = 0;
  const out: string[] = [];
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    const block = printer.render(d);
    if (block !== undefined) out.push(block);
  }
  for (const line of printer.summary()) out.push(line);
  if (out.length) process.stderr.write(out.join('\n') + '\n');
  return { errors, warnings };
}

/**
 * A diagnostic for tools: `{file, code, severity, message, start, end, related, fix}` with 1-based line and column
 * (UTF-16) and 0-based offsets. `indexOf` lets many calls share one line index per file.
 */
export function diagnosticJson(d: Diagnostic, textOf: TextOf, indexOf: (file: string) => LineIndex | undefined = lineIndexes(textOf)): object {
  const idx = indexOf(d.file);
  const s = idx?.position(d.span.start) ?? { line: 0, character: 0 };
  const e = idx?.position(d.span.end) ?? s;
  return {
    file: d.file,
    code: d.code,
    severity: d.severity,
    message: d.message,
    start: { line: s.line + 1, column: s.character + 1, offset: d.span.start },
    end: { line: e.line + 1, column: e.character + 1, offset: d.span.end },
    related: d.related,
    fix: d.fix,
  };
}

/** A memoising line-index lookup over `textOf`, for rendering many diagnostics as JSON. */
export function lineIndexes(textOf: TextOf): (file: string) => LineIndex | undefined {
  const cache = new Map<string, LineIndex | null>();
  return (file) => {
    let idx = cache.get(file);
    if (idx === undefined) {
      const text = textOf(file);
      idx = text === undefined ? null : new LineIndex(text);
      cache.set(file, idx);
    }
    return idx ?? undefined;
  };
}

/**
 * The text of a data file a diagnostic points into (a seed table's CSV or JSONL), for excerpts; undefined for a
 * binary format (Parquet) or a file that cannot be read.
 */
export function dataFileText(file: string): string | undefined {
  if (/\.parquet$/i.test(file)) return undefined;
  try {
    // regular files only: a FIFO named in a diagnostic would block the excerpt forever
    if (!statSync(file).isFile()) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
