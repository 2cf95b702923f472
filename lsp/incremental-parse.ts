// Incremental parsing for the language server: the same parser as `synth check` (grammar/parse.ts), run one
// top-level declaration at a time, with the results of unchanged declarations reused across edits.
//
// How it works:
//  - A document is cut into segments exactly where `parseSynth` cuts it (`splitSegments`: at declaration
//    keywords at brace depth 0 or at column 1). Each segment's text runs from its first token to the next
//    segment's first token, so comments and whitespace after a declaration belong to it; text before the first
//    token is the "preamble".
//  - After an edit only the text around the edit is re-lexed: from the segment before the edited one to the
//    first old segment boundary after the edit that the new tokens still agree on. Everything before is kept;
//    everything after is kept and moved.
//  - Each segment is parsed with `parseSynth(segmentText)`. Its spans are rebased onto a movable origin
//    (`SegmentSpan`: start/end = origin + relative offset), so moving a declaration after an edit costs one
//    assignment, and the AST objects keep their identity (the checker's per-node caches stay valid).
//
// Invariant: the result equals `parseSynth(text)` (same declarations, spans and diagnostics); the test
// `test/lsp/incremental-parse.test.ts` checks this on thousands of random edits.
import type { IToken } from 'chevrotain';
import type * as A from '../grammar/ast.js';
import type { Diagnostic } from '../base/diagnostics.js';
import * as T from '../grammar/lexer.js';
import { parseSynth, splitSegments, type ParseResult } from '../grammar/parse.js';

/** A movable origin shared by all spans of one segment. */
class Origin {
  offset = 0;
}

/** A span relative to its segment's origin. Reads like a plain `{ start, end }`. */
export class SegmentSpan implements A.Span {
  constructor(
    private readonly origin: Origin,
    private readonly rs: number,
    private readonly re: number,
  ) {}
  get start(): number {
    return this.origin.offset + this.rs;
  }
  get end(): number {
    return this.origin.offset + this.re;
  }
  toJSON(): A.Span {
    return { start: this.start, end: this.end };
  }
}

/**
 * One top-level segment of the document (or the preamble before the first token): its own copy of its text, where
 * it starts now, and what it parsed to. The same object is kept across edits as long as its text is unchanged, so
 * features can cache what they derive from it (semantic tokens).
 */
export interface Segment {
  readonly text: string;
  /** `origin.offset`: where the segment starts in the current document */
  readonly origin: { readonly offset: number };
  readonly imports: A.ImportDecl[];
  readonly decls: A.Decl[];
  readonly comments: A.Comment[];
  readonly diagnostics: Diagnostic[];
}

interface MovableSegment extends Segment {
  readonly origin: Origin;
}

interface Reuse {
  split: Split;
  /** ranges [0, head) are the old ones, unchanged */
  head: number;
  /** old ranges from `oldRange` on are kept (moved) at the end */
  tail: { oldRange: number } | undefined;
}

interface Split {
  /** offset of each segment's first token */
  starts: number[];
  /** end of the token after each segment's first token: the split decision at `starts[i]` looked this far */
  heads: number[];
  /** an unterminated triple string or block comment runs to the end of the lexed text */
  unterminated: boolean;
}

function lexSplit(text: string, from: number, to: number): Split {
  const sub = from === 0 && to === text.length ? text : text.slice(from, to);
  const lexed = T.synthLexer.tokenize(sub);
  let unterminated = false;
  const tokens: IToken[] = lexed.tokens.map((t) => {
    if (t.tokenType === T.UnterminatedTripleString) {
      unterminated = true;
      return { ...t, tokenType: T.TripleString };
    }
    if (t.tokenType === T.UnterminatedString) return { ...t, tokenType: T.StringLit };
    return t;
  });
  for (const c of (lexed.groups['comments'] ?? []) as IToken[]) if (c.tokenType === T.UnterminatedBlockComment) unterminated = true;
  const starts: number[] = [];
  const heads: number[] = [];
  // Segments are consecutive runs of `tokens`: `i` is the index of each one's first token.
  let i = 0;
  for (const seg of splitSegments(tokens)) {
    const first = seg[0]!;
    const next = tokens[i + 1] ?? first;
    starts.push(from + first.startOffset);
    heads.push(from + next.startOffset + next.image.length);
    i += seg.length;
  }
  return { starts, heads, unterminated };
}

/** `old[0, keep)`, then `mid[0, midCount)`, then `old[from..]` moved by `delta`, in one array. */
function spliced(old: readonly number[], keep: number, mid: readonly number[], midCount: number, from: number, delta: number): number[] {
  const out = new Array<number>(keep + midCount + Math.max(0, old.length - from));
  let o = 0;
  for (let i = 0; i < keep; i++) out[o++] = old[i]!;
  for (let i = 0; i < midCount; i++) out[o++] = mid[i]!;
  for (let i = from; i < old.length; i++) out[o++] = old[i]! + delta;
  return out;
}

// The common prefix and suffix of two versions of a document are found by bisection over substring equality
// (a native comparison of whole blocks) rather than character by character: on a 150 KB document a
// `charCodeAt` loop takes 1–2 ms, the bisection a few hundredths of a millisecond.

/** Below this many characters the bisection finishes with a plain loop. */
const BISECT_MIN = 32;

function commonPrefix(a: string, b: string): number {
  // invariant: a[0, lo) === b[0, lo), and the first difference (if any) lies in [lo, hi)
  let lo = 0;
  let hi = Math.min(a.length, b.length);
  while (hi - lo > BISECT_MIN) {
    const mid = (lo + hi) >>> 1;
    if (a.substring(lo, mid) === b.substring(lo, mid)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(lo) === b.charCodeAt(lo)) lo++;
  return lo;
}

/** The length of the common suffix of `a` and `b`, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  let lo = 0;
  let hi = max;
  while (hi - lo > BISECT_MIN) {
    const mid = (lo + hi) >>> 1;
    if (a.substring(la - mid, la - lo) === b.substring(lb - mid, lb - lo)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(la - 1 - lo) === b.charCodeAt(lb - 1 - lo)) lo++;
  return lo;
}

/**
 * A copy of `s` that does not keep the string it was sliced from alive. V8 represents `text.slice(a, b)` as a
 * view into `text`, and so is every token image, name and string literal of an AST parsed from it: a segment's
 * AST would keep the whole document version it was first parsed in alive (150 KB per edit on a 5,000-line
 * spec, promoted by the garbage collector and only freed by a full collection). Concatenation makes a new
 * string, which the slice then flattens into a buffer of its own.
 */
function detached(s: string): string {
  return (' ' + s).slice(1);
}

function isSpan(v: object): v is A.Span {
  return typeof (v as A.Span).start === 'number' && typeof (v as A.Span).end === 'number' && !('kind' in v) && Object.keys(v).length === 2;
}

/** Replaces every span (`span`, `keyword`, ...) in a freshly parsed segment by a SegmentSpan on `origin` (keeping shared spans shared). */
function rebase(x: unknown, origin: Origin, seen: Map<object, SegmentSpan>): void {
  if (!x || typeof x !== 'object') return;
  if (Array.isArray(x)) {
    for (const y of x) rebase(y, origin, seen);
    return;
  }
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (!v || typeof v !== 'object') continue;
    if (isSpan(v)) {
      // {0, 0} is the parser's "no location" placeholder (grammar/to-ast.ts spanOf): it stays at the file start.
      if (v.start === 0 && v.end === 0) continue;
      let s = seen.get(v);
      if (!s) {
        s = new SegmentSpan(origin, (v as A.Span).start, (v as A.Span).end);
        seen.set(v, s);
      }
      o[k] = s;
    } else rebase(v, origin, seen);
  }
}

/** Dropped segments kept for an undo: at least this many characters, else as many as the document has. */
const RECENT_MIN_CHARS = 16 * 1024;

/** Parses one document again and again, reusing the declarations an edit did not touch. */
export class DocumentParser {
  private text: string | undefined;
  private split: Split = { starts: [], heads: [], unterminated: false };
  /** segments[0] is the preamble; segments[i + 1] starts at split.starts[i] */
  private segments: MovableSegment[] = [];
  private result: ParseResult | undefined;
  /**
   * Segments dropped from the document by recent edits, by text, oldest first, with their total length. When an
   * edit brings a text back (an undo; a closing quote that ends an unterminated string), its segment is reused:
   * no parse, and the same AST objects, which the check session can restore instead of checking again
   * (compiler/check/session.ts). Bounded by the document's length (plus `RECENT_MIN_CHARS`).
   */
  private readonly recent = new Map<string, MovableSegment[]>();
  private recentChars = 0;
  /** statistics, for tests and the benchmark */
  readonly stats = { parses: 0, segmentsParsed: 0, charsParsed: 0, fullSplits: 0, recalled: 0 };

  constructor(readonly path: string) {}

  parse(text: string): ParseResult {
    if (text === this.text && this.result) return this.result;
    this.stats.parses++;
    const old = this.text;
    const oldSegments = this.segments;
    const plan: Reuse = old === undefined ? { split: this.fullSplit(text), head: 0, tail: undefined } : this.updateSplit(old, text);
    const split = plan.split;
    // Ranges: the preamble [0, starts[0]) then one per segment.
    const bounds = [0].concat(split.starts, text.length);
    const count = bounds.length - 1;
    const segments: MovableSegment[] = new Array<MovableSegment>(count);
    // Ranges before the edit are the old ones, unchanged; ranges after it are the old ones, moved.
    for (let i = 0; i < plan.head; i++) segments[i] = oldSegments[i]!;
    let midEnd = count;
    if (plan.tail) {
      const moved = oldSegments.length - plan.tail.oldRange;
      midEnd = count - moved;
      for (let m = 0; m < moved; m++) segments[midEnd + m] = oldSegments[plan.tail.oldRange + m]!;
    }
    // Ranges around the edit: reuse an old segment with the same text if there is one, else parse.
    const pool = new Map<string, MovableSegment[]>();
    const poolEnd = plan.tail ? plan.tail.oldRange : oldSegments.length;
    for (let i = plan.head; i < poolEnd; i++) {
      const s = oldSegments[i]!;
      const list = pool.get(s.text);
      if (list) list.push(s);
      else pool.set(s.text, [s]);
    }
    for (let i = plan.head; i < midEnd; i++) {
      const t = text.slice(bounds[i]!, bounds[i + 1]!);
      segments[i] = pool.get(t)?.shift() ?? this.recall(t) ?? this.parseSegment(detached(t));
    }
    // Old segments not reused are kept a while: an undo brings their text back.
    for (const list of pool.values()) for (const seg of list) this.keep(seg, text.length);
    for (let i = 0; i < count; i++) segments[i]!.origin.offset = bounds[i]!;
    this.text = text;
    this.split = split;
    this.segments = segments;
    const imports: A.ImportDecl[] = [];
    const decls: A.Decl[] = [];
    const comments: A.Comment[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const s of segments) {
      for (const x of s.imports) imports.push(x);
      for (const x of s.decls) decls.push(x);
      for (const x of s.comments) comments.push(x);
      for (const x of s.diagnostics) diagnostics.push(x);
    }
    diagnostics.sort((a, b) => a.span.start - b.span.start);
    const file: A.SynthFile = { kind: 'File', path: this.path, imports, decls, comments, span: { start: 0, end: text.length } };
    this.result = { file, diagnostics };
    return this.result;
  }

  /** Offsets where top-level segments start (for completion: which declaration is the cursor in?). */
  segmentStarts(): readonly number[] {
    return this.split.starts;
  }

  /**
   * The segments of `text` in order (the preamble first), if `text` is the text this parser last parsed; else
   * undefined. Valid until the next `parse`.
   */
  segmentsOf(text: string): readonly Segment[] | undefined {
    return text === this.text ? this.segments : undefined;
  }

  private keep(seg: MovableSegment, documentLength: number): void {
    // the preamble and other blank segments are cheaper to parse than to keep
    if (seg.decls.length === 0 && seg.imports.length === 0) return;
    const limit = documentLength + RECENT_MIN_CHARS;
    // A huge segment (the rest of the file swallowed by an unterminated string, changed by every edit inside it)
    // would evict the declarations an undo brings back.
    if (seg.text.length > limit / 4) return;
    let list = this.recent.get(seg.text);
    if (list) this.recent.delete(seg.text); // re-inserted as the newest
    else list = [];
    list.push(seg);
    this.recent.set(seg.text, list);
    this.recentChars += seg.text.length;
    for (const [t, l] of this.recent) {
      if (this.recentChars <= limit) break;
      this.recentChars -= t.length * l.length;
      this.recent.delete(t);
    }
  }

  private recall(text: string): MovableSegment | undefined {
    const list = this.recent.get(text);
    const seg = list?.pop();
    if (!seg) return undefined;
    if (list!.length === 0) this.recent.delete(text);
    this.recentChars -= text.length;
    this.stats.recalled++;
    return seg;
  }

  private parseSegment(text: string): MovableSegment {
    this.stats.segmentsParsed++;
    this.stats.charsParsed += text.length;
    const origin = new Origin();
    const r = parseSynth(text, this.path);
    const seen = new Map<object, SegmentSpan>();
    rebase(r.file.imports, origin, seen);
    rebase(r.file.decls, origin, seen);
    rebase(r.file.comments, origin, seen);
    rebase(r.diagnostics, origin, seen);
    return { text, origin, imports: r.file.imports, decls: r.file.decls, comments: r.file.comments, diagnostics: r.diagnostics };
  }

  private fullSplit(text: string): Split {
    this.stats.fullSplits++;
    return lexSplit(text, 0, text.length);
  }

  private updateSplit(old: string, text: string): Reuse {
    const { starts, heads } = this.split;
    const full = (): Reuse => ({ split: this.fullSplit(text), head: 0, tail: undefined });
    // (An unterminated `"""` or `/*` runs to the end of the text, so it is in the last segment: an edit before
    // that segment can still resynchronise with the old boundaries, and the kept tail carries the flag.)
    const p = commonPrefix(old, text);
    const s = commonSuffix(old, text, Math.min(old.length, text.length) - p);
    const oldEnd = old.length - s;
    const delta = text.length - old.length;
    const n = starts.length;
    // j: the last segment whose split decision (its first two tokens, plus one character of lookahead) lies
    // entirely before the edit. Lexing restarts at its first token.
    let j = -1;
    {
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (heads[mid]! < p && starts[mid]! < p) {
          j = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
    }
    const lexStart = j >= 0 ? starts[j]! : 0;
    // k: the first old segment that starts after the edit; the new tokens must agree that a segment starts there.
    let k = j + 1;
    while (k < n && starts[k]! < oldEnd) k++;
    for (let attempt = 0; attempt < 3; attempt++, k++) {
      if (k >= n) {
        const r = lexSplit(text, lexStart, text.length);
        const split = {
          starts: starts.slice(0, Math.max(0, j)).concat(r.starts),
          heads: heads.slice(0, Math.max(0, j)).concat(r.heads),
          unterminated: r.unterminated,
        };
        return { split, head: j + 1, tail: undefined };
      }
      const to = (k + 1 < n ? starts[k + 1]! : old.length) + delta;
      const r = lexSplit(text, lexStart, to);
      if (r.unterminated) break;
      const sync = starts[k]! + delta;
      const idx = r.starts.indexOf(sync);
      if (idx < 0) continue;
      const keep = Math.max(0, j);
      const split = {
        starts: spliced(starts, keep, r.starts, idx, k, delta),
        heads: spliced(heads, keep, r.heads, idx, k, delta),
        unterminated: this.split.unterminated,
      };
      return { split, head: j + 1, tail: { oldRange: k + 1 } };
    }
    return full();
  }
}
