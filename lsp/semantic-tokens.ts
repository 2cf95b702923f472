// Semantic tokens: the lexer's tokens (the same lexer as the compiler) classified with what the checker
// resolved — a soft keyword used as a name is a name, a name is coloured by what it refers to, template holes
// inside strings are coloured as code.
//
// Incremental: tokens are computed per top-level segment of the document (incremental-parse.ts), relative to the
// segment's start, and cached on the segment object under the check session's stamps of its declarations
// (compiler/check/session.ts `stampOf`): an edit recomputes the segments it re-parsed and the declarations it
// re-checked; the rest is re-positioned (one line lookup per segment) and re-encoded. The server answers
// `textDocument/semanticTokens/full/delta` with the one changed run of the encoded array (`TokenResults`), and
// `textDocument/semanticTokens/range` from the segments in the range.
import type { IToken } from 'chevrotain';
import type { Range, SemanticTokens, SemanticTokensDelta, SemanticTokensEdit, SemanticTokensLegend } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import * as L from '../grammar/lexer.js';
import { FUNCTIONS, AGGREGATES, SAMPLERS } from '../compiler/builtins.js';
import type { CheckSession } from '../compiler/check/session.js';
import { SIM_FUNCTIONS, SIM_RANDOM } from '../compiler/sim/builtins.js';
import { PRIMITIVE_TYPES, SIM_SCALAR_TYPES } from '../compiler/types.js';
import type { Segment } from './incremental-parse.js';
import { declNames, type Target } from './resolve.js';
import type { Analysis } from './workspace.js';

const TYPES = ['namespace', 'type', 'struct', 'enum', 'enumMember', 'property', 'parameter', 'variable', 'function', 'method', 'event', 'keyword', 'comment', 'string', 'number', 'operator'] as const;
const MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;
type TokenType = (typeof TYPES)[number];

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

const typeIndex = (t: TokenType) => TYPES.indexOf(t);
const MOD = { declaration: 1, readonly: 2, defaultLibrary: 4 };

function classify(t: Target): { type: TokenType; mods: number } {
  switch (t.kind) {
    case 'struct':
      return { type: 'struct', mods: 0 };
    case 'enum':
      return { type: 'enum', mods: 0 };
    case 'enumCase':
      return { type: 'enumMember', mods: 0 };
    case 'field':
    case 'eventField':
    case 'simState':
      return { type: 'property', mods: 0 };
    case 'param':
      return { type: 'parameter', mods: 0 };
    case 'simParam':
      return { type: 'variable', mods: MOD.readonly };
    case 'prompt':
      return { type: 'function', mods: 0 };
    case 'rule':
      return { type: 'method', mods: 0 };
    case 'event':
      return { type: 'event', mods: 0 };
    case 'model':
    case 'source':
    case 'sim':
    case 'dataset':
      return { type: 'namespace', mods: 0 };
    default:
      return { type: 'variable', mods: 0 };
  }
}

/** A classified token, offsets relative to its segment's text. */
interface Raw {
  start: number;
  length: number;
  type: number;
  mods: number;
  /** a name: the checker's resolution, if any, decides its classification */
  name: boolean;
}

/**
 * One segment's tokens, one line piece each (a token spanning lines — a triple string, a block comment — is one
 * piece per line), as runs of 5 numbers: line relative to the segment's first line; column (on the first line:
 * relative to the segment's start column); length; type; modifiers.
 */
interface SegmentTokens {
  session: CheckSession;
  /** the session's stamps of the segment's declarations when computed */
  stamps: Array<number | undefined>;
  pieces: Int32Array;
}

const segmentTokens = new WeakMap<Segment, SegmentTokens>();

/** Segments whose tokens were classified (not taken from the cache), and the characters lexed: for tests and the benchmark. */
export const semanticTokenStats = { segments: 0, chars: 0 };

/** The full tokens of the analysed document, LSP-encoded (relative positions, 5 numbers per token). */
export function semanticTokensData(a: Analysis): Int32Array {
  return encode(runs(a, 0, Infinity), 0, Infinity);
}

/** The tokens of the lines of `range` (whole segments touching it, then cut to its lines), LSP-encoded. */
export function semanticTokensRangeData(a: Analysis, range: Range): number[] {
  return Array.from(encode(runs(a, range.start.line, range.end.line), range.start.line, range.end.line));
}

/** The segments of the analysed document; a whole-text pseudo-segment if the parser holds another version. */
function documentSegments(a: Analysis): readonly Segment[] {
  const segs = a.workspace.parser(a.doc.path).segmentsOf(a.doc.text);
  if (segs) return segs;
  const ast = a.source.ast;
  return [{ text: a.doc.text, origin: { offset: 0 }, imports: ast.imports, decls: ast.decls, comments: ast.comments, diagnostics: [] }];
}

function piecesOf(a: Analysis, seg: Segment): Int32Array {
  const decls = seg.decls;
  const hit = segmentTokens.get(seg);
  if (hit && hit.session === a.session && hit.stamps.length === decls.length) {
    let valid = true;
    for (let i = 0; i < decls.length && valid; i++) {
      const s = a.session.stampOf(decls[i]!);
      valid = s !== undefined && s === hit.stamps[i];
    }
    if (valid) return hit.pieces;
  }
  let pieces = computePieces(a, seg);
  // a declaration checked again (a name it reads was edited) mostly classifies the same: keeping the old array
  // lets a delta see that this segment is unchanged (TokenResults compares pieces by identity)
  if (hit && sameNumbers(hit.pieces, pieces)) pieces = hit.pieces;
  segmentTokens.set(seg, { session: a.session, stamps: decls.map((d) => a.session.stampOf(d)), pieces });
  return pieces;
}

function sameNumbers(x: Int32Array, y: Int32Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A segment's pieces placed in the document: where the segment starts (line, character). */
interface Run {
  pieces: Int32Array;
  line: number;
  character: number;
}

/** The runs of the segments touching lines [fromLine, toLine], in order; segments without tokens are left out. */
function runs(a: Analysis, fromLine: number, toLine: number): Run[] {
  const lines = a.source.lines;
  const segments = documentSegments(a);
  const out: Run[] = [];
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const next = segments[s + 1];
    if (fromLine > 0 && next && lines.position(next.origin.offset).line < fromLine) continue;
    const start = lines.position(seg.origin.offset);
    if (start.line > toLine) break;
    const pieces = piecesOf(a, seg);
    if (pieces.length > 0) out.push({ pieces, line: start.line, character: start.character });
  }
  return out;
}

/** The absolute position of a run's last token (for encoding the next run's first token relative to it). */
function lastOf(r: Run): { line: number; character: number } {
  const i = r.pieces.length - 5;
  const rel = r.pieces[i]!;
  return { line: r.line + rel, character: rel === 0 ? r.character + r.pieces[i + 1]! : r.pieces[i + 1]! };
}

/** The LSP encoding of a run's first token after `prev` (line and character deltas). */
function firstDeltas(r: Run, prev: { line: number; character: number }): [number, number] {
  const line = r.line + r.pieces[0]!;
  const char = r.pieces[0] === 0 ? r.character + r.pieces[1]! : r.pieces[1]!;
  const dl = line - prev.line;
  return [dl, dl === 0 ? char - prev.character : char];
}

/**
 * Encodes the tokens of `runs` on lines [fromLine, toLine] (LSP relative encoding, the first token relative to
 * `prev`) into one array of the exact size: on a 5,000-line document that is ~80,000 numbers, so growing an array
 * by `push` would leave megabytes of garbage each time.
 */
function encode(runs: readonly Run[], fromLine: number, toLine: number, prev = { line: 0, character: 0 }): Int32Array {
  let size = 0;
  for (const r of runs) size += r.pieces.length;
  const data = new Int32Array(size);
  let n = 0;
  let prevLine = prev.line;
  let prevChar = prev.character;
  for (const { pieces, line: l0, character: c0 } of runs) {
    for (let i = 0; i < pieces.length; i += 5) {
      const line = l0 + pieces[i]!;
      if (line < fromLine) continue;
      if (line > toLine) break;
      const char = pieces[i] === 0 ? c0 + pieces[i + 1]! : pieces[i + 1]!;
      const dl = line - prevLine;
      data[n++] = dl;
      data[n++] = dl === 0 ? char - prevChar : char;
      data[n++] = pieces[i + 2]!;
      data[n++] = pieces[i + 3]!;
      data[n++] = pieces[i + 4]!;
      prevLine = line;
      prevChar = char;
    }
  }
  return n === size ? data : data.slice(0, n);
}

/**
 * A segment's tokens as its text and AST give them, before names are classified by what they refer to: line
 * pieces with the classification a name gets when the checker resolved nothing (setting key, keyword, built-in
 * type or function, variable), and which pieces are names (piece index, start relative to the segment). Cached
 * per segment object (its text never changes): a declaration checked again without being re-parsed is not lexed
 * again.
 */
interface Lexical {
  pieces: Int32Array;
  /** pairs: piece index, name start relative to the segment */
  names: Int32Array;
}

const lexicals = new WeakMap<Segment, Lexical>();

/** A segment's tokens classified with what the checker resolved, cut into line pieces relative to the segment. */
function computePieces(a: Analysis, seg: Segment): Int32Array {
  semanticTokenStats.segments++;
  const lex = lexicalOf(seg);
  const base = seg.origin.offset;
  const file = a.doc.path;
  const byStart = new Map<number, { target: Target; decl: boolean }>();
  for (const d of seg.decls) {
    for (const o of declNames(a, file, d).all) {
      const t = o.target;
      byStart.set(o.ident.span.start - base, { target: t, decl: t.file === file && t.span.start === o.ident.span.start });
    }
  }
  const pieces = lex.pieces.slice();
  for (let i = 0; i < lex.names.length; i += 2) {
    const hit = byStart.get(lex.names[i + 1]!);
    if (!hit) continue;
    const c = classify(hit.target);
    const at = lex.names[i]! * 5;
    pieces[at + 3] = typeIndex(c.type);
    pieces[at + 4] = c.mods | (hit.decl ? MOD.declaration : 0);
  }
  return pieces;
}

function lexicalOf(seg: Segment): Lexical {
  let lex = lexicals.get(seg);
  if (!lex) lexicals.set(seg, (lex = lexSegment(seg)));
  return lex;
}

/** Lexes a segment (the same lexer as the compiler) and classifies its tokens as far as the text and AST tell. */
function lexSegment(seg: Segment): Lexical {
  const text = seg.text;
  semanticTokenStats.chars += text.length;
  const base = seg.origin.offset;
  // Setting keys and templates, from the AST.
  const settingKeys = new Set<number>();
  const templates = new Map<number, A.Template>();
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const o = x as Record<string, unknown>;
    if (o['kind'] === 'Setting') settingKeys.add((o['key'] as A.Ident).span.start - base);
    if (o['kind'] === 'Template') templates.set((o as unknown as A.Template).span.start - base, o as unknown as A.Template);
    for (const k in o) if (k !== 'span' && k !== 'keyword') visit(o[k]);
  };
  visit(seg.decls);

  const raw: Raw[] = [];
  const push = (start: number, length: number, type: TokenType, mods = 0, name = false) => {
    if (length > 0) raw.push({ start, length, type: typeIndex(type), mods, name });
  };
  const ident = (start: number, image: string, keyword: boolean) => {
    if (settingKeys.has(start)) return push(start, image.length, 'property', 0, true);
    if (keyword) return push(start, image.length, 'keyword', 0, true);
    if (PRIMITIVE_TYPES.has(image) || SIM_SCALAR_TYPES.has(image)) return push(start, image.length, 'type', MOD.defaultLibrary, true);
    if (FUNCTIONS[image] || AGGREGATES[image] || SAMPLERS[image] || SIM_FUNCTIONS[image] || SIM_RANDOM[image]) {
      return push(start, image.length, 'function', MOD.defaultLibrary, true);
    }
    return push(start, image.length, 'variable', 0, true);
  };
  const lexed = L.synthLexer.tokenize(text);
  const tokens: IToken[] = [...lexed.tokens, ...((lexed.groups['comments'] ?? []) as IToken[])].sort((x, y) => x.startOffset - y.startOffset);
  for (const t of tokens) {
    const name = t.tokenType.name;
    const start = t.startOffset;
    if (name === 'LineComment' || name === 'BlockComment' || name === 'UnterminatedBlockComment') push(start, t.image.length, 'comment');
    else if (name.includes('String')) {
      const tpl = templates.get(start);
      if (!tpl) push(start, t.image.length, 'string');
      else {
        // string text between holes; holes lexed again for their names
        let pos = start;
        for (const part of tpl.parts) {
          if (part.kind !== 'Hole') continue;
          const hs0 = part.span.start - base;
          push(pos, hs0 - pos, 'string');
          const sub = L.synthLexer.tokenize(text.slice(hs0, part.span.end - base));
          for (const h of sub.tokens) {
            const hs = hs0 + h.startOffset;
            if (h.tokenType === L.Identifier || h.tokenType.CATEGORIES?.includes(L.Identifier)) ident(hs, h.image, false);
            else if (h.tokenType === L.NumberLit) push(hs, h.image.length, 'number');
          }
          pos = part.span.end - base;
        }
        push(pos, start + t.image.length - pos, 'string');
      }
    } else if (name === 'NumberLit' || name === 'Duration') push(start, t.image.length, 'number');
    else if (name === 'Identifier') ident(start, t.image, false);
    else if (name.startsWith('Kw_')) ident(start, t.image, true);
    else if (name === 'Arrow' || name === 'Tilde' || name === 'DotDot') push(start, t.image.length, 'operator');
  }
  return linePieces(text, raw);
}

/** The end of the line break starting at `i` of `text` (`\n`, `\r\n` or a lone `\r`, as base/source.ts counts lines), or -1. */
function lineBreakEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 10) return i + 1;
  if (c === 13) return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  return -1;
}

/** Cuts classified tokens into pieces of one line each (line breaks excluded), positioned relative to the segment. */
function linePieces(text: string, raw: Raw[]): Lexical {
  raw.sort((x, y) => x.start - y.start);
  const out: number[] = [];
  const names: number[] = [];
  let line = 0;
  let lineStart = 0;
  let scanned = 0;
  /** advances the line counter over the line breaks before `offset` */
  const to = (offset: number) => {
    for (let i = scanned; i < offset; ) {
      const e = lineBreakEnd(text, i);
      if (e < 0) {
        i++;
        continue;
      }
      if (e > offset) break; // the offset is inside a `\r\n`
      line++;
      lineStart = e;
      i = e;
    }
    scanned = Math.max(scanned, offset);
  };
  let lastEnd = -1;
  for (const r of raw) {
    if (r.start < lastEnd) continue; // never overlap
    lastEnd = r.start + r.length;
    let s = r.start;
    const end = r.start + r.length;
    while (s < end) {
      to(s);
      // the piece runs to the next line break or the token's end
      let e = s;
      while (e < end && lineBreakEnd(text, e) < 0) e++;
      if (e > s) {
        if (r.name) names.push(out.length / 5, s);
        out.push(line, s - lineStart, e - s, r.type, r.mods);
      }
      if (e >= end) break;
      s = lineBreakEnd(text, e);
    }
  }
  return { pieces: Int32Array.from(out), names: Int32Array.from(names) };
}

/** What was last sent for a document: its result id and runs, each run's first-token deltas and its offset in the data. */
interface Sent {
  id: string;
  runs: Run[];
  firsts: Array<[number, number]>;
  /** offset of each run's numbers in the sent array, and the array's length at the end */
  offsets: number[];
}

/**
 * The last tokens sent per document, for `semanticTokens/full/delta`. A delta is computed per segment, not per
 * token: a run whose pieces and first-token deltas are unchanged encodes the same numbers (moved lines change
 * nothing else in the relative encoding), and each stretch of changed runs between unchanged ones is one edit. So
 * an edit costs its segments, not the document's ~80,000 numbers.
 */
export class TokenResults {
  private readonly last = new Map<string, Sent>();
  private next = 1;

  /** Full tokens of the analysed document, remembered under a new result id. */
  full(a: Analysis): SemanticTokens {
    const rs = runs(a, 0, Infinity);
    const sent = this.remember(a.doc.uri, rs);
    return { resultId: sent.id, data: Array.from(encode(rs, 0, Infinity)) };
  }

  /**
   * The edits from the result `previousResultId` to the current tokens, ascending by start and disjoint (VS Code
   * applies them from the last to the first); full tokens if that result is not the last one sent.
   */
  delta(a: Analysis, previousResultId: string): SemanticTokens | SemanticTokensDelta {
    const old = this.last.get(a.doc.uri);
    if (!old || old.id !== previousResultId) return this.full(a);
    const rs = runs(a, 0, Infinity);
    const now = this.remember(a.doc.uri, rs);
    // A new run is kept when it is an old run (same pieces object: same segment, same classification) that comes
    // after the last one kept and whose first token is encoded the same way after its predecessor; everything
    // between two kept runs is one edit. So edits in several places since the last request (five random edits,
    // a multi-cursor change, a rename) send their segments, not all that lies between the first and the last.
    const oldIndex = new Map<Int32Array, number>();
    for (let k = 0; k < old.runs.length; k++) oldIndex.set(old.runs[k]!.pieces, k);
    const edits: SemanticTokensEdit[] = [];
    const replace = (i: number, k: number, j0: number, j: number) => {
      if (k === i && j === j0) return;
      const prev = j0 > 0 ? lastOf(rs[j0 - 1]!) : { line: 0, character: 0 };
      const data = encode(rs.slice(j0, j), 0, Infinity, prev);
      edits.push({ start: old.offsets[i]!, deleteCount: old.offsets[k]! - old.offsets[i]!, data: Array.from(data) });
    };
    let i = 0; // the first old run not yet kept or replaced
    let j0 = 0; // the first new run not yet kept or sent
    for (let j = 0; j < rs.length; j++) {
      const k = oldIndex.get(rs[j]!.pieces);
      if (k === undefined || k < i || old.firsts[k]![0] !== now.firsts[j]![0] || old.firsts[k]![1] !== now.firsts[j]![1]) continue;
      replace(i, k, j0, j);
      i = k + 1;
      j0 = j + 1;
    }
    replace(i, old.runs.length, j0, rs.length);
    return { resultId: now.id, edits };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }

  private remember(uri: string, rs: Run[]): Sent {
    const firsts: Array<[number, number]> = [];
    const offsets: number[] = [];
    let prev = { line: 0, character: 0 };
    let at = 0;
    for (const r of rs) {
      firsts.push(firstDeltas(r, prev));
      offsets.push(at);
      at += r.pieces.length;
      prev = lastOf(r);
    }
    offsets.push(at);
    const sent = { id: String(this.next++), runs: rs, firsts, offsets };
    this.last.set(uri, sent);
    return sent;
  }
}
