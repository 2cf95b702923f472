// The parser driver: lex → split into top-level segments → parse each with error recovery → build the AST.
// Invariant: parsing never throws on any input; every problem becomes a Diagnostic.
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';
import type * as A from './ast.js';
import { getParser } from './cst-parser.js';
import { makeDiagnostic, type Diagnostic } from '../base/diagnostics.js';
import * as T from './lexer.js';
import { parseTemplate } from './templates.js';
import { AstBuilder } from './to-ast.js';

/**
 * The deepest nesting of brackets, `else if` chains and prefix operators the parser accepts. The parser and the
 * passes after it are recursive; beyond this a segment is reported (SYN0008) and skipped instead of overflowing
 * the JavaScript stack. Real specs nest a handful of levels.
 */
export const MAX_NESTING = 48;
/** The deepest AST (nodes inside nodes, e.g. a 300-term `a + b + ...` chain) later passes may receive. */
export const MAX_AST_DEPTH = 256;

export interface ParseResult {
  file: A.SynthFile;
  diagnostics: Diagnostic[];
}

/** Human names for tokens in error messages. */
function tokenLabel(t: TokenType): string {
  const name = t.name;
  if (name.startsWith('Kw_')) return `\`${name.slice(3)}\``;
  const pat = t.PATTERN;
  if (typeof pat === 'string') return `\`${pat}\``;
  const names: Record<string, string> = {
    Identifier: 'a name',
    StringLit: 'a string',
    TripleString: 'a string',
    NumberLit: 'a number',
    Duration: 'a duration',
    BinaryOp: 'an operator',
    PrefixOp: '`-` or `!`',
    EOF: 'end of file',
  };
  return names[name] ?? name;
}

function describeFound(tok: IToken): string {
  if (tok.tokenType.name === 'EOF' || !Number.isFinite(tok.startOffset)) return 'end of input';
  return `'${tok.image.length > 20 ? tok.image.slice(0, 20) + '…' : tok.image}'`;
}

function expectedList(e: IRecognitionException): string {
  // Chevrotain's message lists expected token paths; extract token names and map them to readable labels.
  const m = /Expecting: (?:one of these possible Token sequences:)?([\s\S]*?)but found:/.exec(e.message) ??
    /Expecting token of type --> (\w+) <--/.exec(e.message);
  if (!m) return '';
  const names = [...new Set([...m[1]!.matchAll(/\b(Kw_\w+|[A-Z]\w+)\b/g)].map((x) => x[1]!))];
  const labels = names
    .map((n) => T.allTokens.find((t) => t.name === n))
    .filter((t): t is TokenType => !!t)
    .map(tokenLabel);
  const uniq = [...new Set(labels)];
  if (uniq.length === 0) return '';
  if (uniq.length > 6) return `${uniq.slice(0, 6).join(', ')}, …`;
  return uniq.join(' or ');
}

const DECL_TOKENS = new Set<TokenType>([...T.DECL_KEYWORDS].map((w) => T.Kw[w as T.SoftKeyword]));

function isDeclStart(tokens: IToken[], i: number): boolean {
  const t = tokens[i]!;
  if (!DECL_TOKENS.has(t.tokenType)) return false;
  const next = tokens[i + 1];
  if (!next) return true;
  if (t.image === 'goal') return next.tokenType === T.StringLit || next.tokenType === T.LCurly;
  if (t.image === 'import') return next.tokenType === T.StringLit;
  return next.tokenType === T.Identifier || next.tokenType.CATEGORIES?.includes(T.Identifier) === true;
}

/**
 * Splits the token stream at declaration keywords so each declaration parses on its own. A declaration keyword
 * starts a new segment at brace depth 0, or at any depth when it stands at column 1 (an unclosed brace in one
 * declaration must not swallow the rest of the file).
 */
export function splitSegments(tokens: IToken[]): IToken[][] {
  const segments: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const starts = isDeclStart(tokens, i) && (depth === 0 || t.startColumn === 1);
    if (starts && current.length > 0) {
      segments.push(current);
      current = [];
      depth = 0;
    }
    current.push(t);
    const ty = t.tokenType;
    if (ty === T.LCurly || ty === T.LParen || ty === T.LBracket) depth++;
    else if ((ty === T.RCurly || ty === T.RParen || ty === T.RBracket) && depth > 0) depth--;
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

const OPENERS = new Set<TokenType>([T.LCurly, T.LParen, T.LBracket]);
const CLOSERS = new Set<TokenType>([T.RCurly, T.RParen, T.RBracket]);

/**
 * The first token at which the nesting depth exceeds MAX_NESTING, if any. Depth counts open brackets, the
 * `else if` links of the current if-chain in each bracket (each link is one more level of recursion), and the
 * current run of prefix operators (`- - !x`).
 */
export function tooDeepAt(tokens: readonly IToken[]): IToken | undefined {
  const elseIfs: number[] = [0]; // per open bracket: `else if` links of the chain being read
  let depth = 0;
  let prefixRun = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const ty = t.tokenType;
    if (OPENERS.has(ty)) {
      elseIfs.push(0);
      depth++;
    } else if (CLOSERS.has(ty)) {
      if (elseIfs.length > 1) depth -= 1 + elseIfs.pop()!;
    } else if (ty === T.Kw.if) {
      if (i > 0 && tokens[i - 1]!.tokenType === T.Kw.else) {
        elseIfs[elseIfs.length - 1]!++;
        depth++;
      } else {
        depth -= elseIfs[elseIfs.length - 1]!; // a new chain starts
        elseIfs[elseIfs.length - 1] = 0;
      }
    }
    prefixRun = ty === T.Minus || ty === T.Bang ? prefixRun + 1 : 0;
    if (depth + prefixRun > MAX_NESTING) return t;
  }
  return undefined;
}

/** The span of a node nested deeper than MAX_AST_DEPTH, if any (an iterative walk: it must not recurse). */
export function tooDeepAst(root: object): A.Span | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push([x, d]);
      continue;
    }
    const node = v as Record<string, unknown>;
    const depth = 'kind' in node ? d + 1 : d;
    if (depth > MAX_AST_DEPTH) return node['span'] as A.Span;
    for (const k in node) {
      if (k === 'span' || k === 'keyword') continue;
      const x = node[k];
      if (x !== null && typeof x === 'object') stack.push([x, depth]);
    }
  }
  return undefined;
}

/** Runs a parse; a stack overflow (a deeply nested input that slipped past tooDeepAt) yields undefined. */
function guardStack<R>(f: () => R): R | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/** SYN0008 at `span`: nesting beyond what the parser and later passes accept. */
function tooDeep(path: string, span: A.Span): Diagnostic {
  return makeDiagnostic('SYN0008', path, span, { maxNesting: MAX_NESTING, maxDepth: MAX_AST_DEPTH });
}

function lexProblems(path: string, tokens: IToken[], diagnostics: Diagnostic[]): IToken[] {
  return tokens.map((t) => {
    const span = { start: t.startOffset, end: t.startOffset + t.image.length };
    switch (t.tokenType.name) {
      case 'UnterminatedString':
        diagnostics.push(makeDiagnostic('SYN0002', path, span));
        // Chevrotain matches on tokenTypeIdx: retype both, or the parser still sees an UnterminatedString.
        return { ...t, tokenType: T.StringLit, tokenTypeIdx: T.StringLit.tokenTypeIdx! };
      case 'UnterminatedTripleString':
        diagnostics.push(makeDiagnostic('SYN0002', path, { start: t.startOffset, end: t.startOffset + 3 }));
        return { ...t, tokenType: T.TripleString, tokenTypeIdx: T.TripleString.tokenTypeIdx! };
    }
    return t;
  });
}

/** Generic type names people bring from other languages: a list (`T[]` in Synth) or an optional (`T?`). */
const GENERIC_LIST = new Set(['list', 'List', 'array', 'Array', 'vec', 'Vec', 'Vector', 'vector', 'seq', 'Seq', 'Sequence', 'Iterable', 'set', 'Set']);
const GENERIC_OPTIONAL = new Set(['Optional', 'optional', 'Option', 'option', 'Maybe', 'Nullable']);

/**
 * `tags: list<string>` (a type after `:` or `->` written as another language's generic): one SYN0016 whose quick
 * fix writes Synth's form (`string[]`, `Person?`), and the tokens rewritten to it, so the parser and checker go
 * on as if it had been written so (no cascade of syntax errors). Only the unmistakable shape is taken: a known
 * generic name, `<`, one type (a name with `[]`/`?` suffixes, or such a generic itself: `list<list<int>>`), `>`,
 * and then nothing more of an expression on the same line — `ok: seq < lo > hi` is a comparison, not a type.
 */
function genericTypes(path: string, tokens: IToken[], diagnostics: Diagnostic[]): IToken[] {
  const out: IToken[] = [];
  let copied = 0; // tokens before this index are in `out` (or were dropped)
  for (let i = 0; i + 4 < tokens.length; i++) {
    const before = tokens[i]!;
    if (before.tokenType !== T.Colon && before.tokenType !== T.Arrow) continue;
    const g = genericAt(tokens, i + 1);
    if (!g) continue;
    const next = tokens[g.end];
    if (next && next.startLine === tokens[g.end - 1]!.startLine && (next.tokenType === T.Identifier || next.tokenType === T.LParen || next.tokenType === T.NumberLit || next.tokenType === T.StringLit)) continue;
    const first = tokens[i + 1]!;
    const last = tokens[g.end - 1]!;
    const span = { start: first.startOffset, end: (last.endOffset ?? last.startOffset) + 1 };
    const written = tokens.slice(i + 1, g.end).map((t) => t.image).join('');
    const fix = { title: `Change to '${g.text}'`, edits: [{ file: path, span, newText: g.text }] };
    diagnostics.push(makeDiagnostic('SYN0016', path, span, { written }, { suggestion: g.text, fix }));
    for (let k = copied; k <= i; k++) out.push(tokens[k]!);
    out.push(...g.tokens);
    copied = g.end;
    i = g.end - 1;
  }
  if (copied === 0) return tokens;
  for (let k = copied; k < tokens.length; k++) out.push(tokens[k]!);
  return out;
}

/**
 * The generic type starting at token `i` (`list<T>`, `Optional<T>`, nested), as Synth's tokens and text, and the
 * index past its `>`; undefined when the tokens there are not one. `>>` closing two generics is two `>` tokens.
 */
function genericAt(tokens: IToken[], i: number): { tokens: IToken[]; text: string; end: number } | undefined {
  const name = tokens[i];
  const lt = tokens[i + 1];
  if (name?.tokenType !== T.Identifier || lt?.tokenType !== T.Lt) return undefined;
  const list = GENERIC_LIST.has(name.image);
  if (!list && !GENERIC_OPTIONAL.has(name.image)) return undefined;
  // the inner type: a generic again, or a name
  let inner: { tokens: IToken[]; text: string; end: number } | undefined = genericAt(tokens, i + 2);
  if (!inner) {
    if (tokens[i + 2]?.tokenType !== T.Identifier) return undefined;
    inner = { tokens: [tokens[i + 2]!], text: tokens[i + 2]!.image, end: i + 3 };
  }
  let j = inner.end; // its `[]` / `?` suffixes
  const suffixes: IToken[] = [];
  for (;;) {
    if (tokens[j]?.tokenType === T.Question) suffixes.push(tokens[j++]!);
    else if (tokens[j]?.tokenType === T.LBracket && tokens[j + 1]?.tokenType === T.RBracket) suffixes.push(tokens[j++]!, tokens[j++]!);
    else break;
  }
  const gt = tokens[j];
  if (gt?.tokenType !== T.Gt) return undefined;
  const innerText = inner.text + suffixes.map((t) => t.image).join('');
  const made = (from: IToken, type: TokenType, image: string): IToken => ({ ...from, tokenType: type, tokenTypeIdx: type.tokenTypeIdx!, image });
  // an optional of an optional is the optional (`Option<string?>` is `string?`, not `string??`)
  const optionalAlready = !list && innerText.endsWith('?');
  const added = list ? [made(lt, T.LBracket, '['), made(gt, T.RBracket, ']')] : optionalAlready ? [] : [made(gt, T.Question, '?')];
  return { tokens: [...inner.tokens, ...suffixes, ...added], text: innerText + (list ? '[]' : optionalAlready ? '' : '?'), end: j + 1 };
}

/**
 * Parses the text of one `.synth` file into its AST; `path` names the file in the diagnostics (it is not read).
 * Lexes, splits the tokens into top-level declarations, parses each with error recovery (a broken declaration
 * does not hide the next one), then builds the AST; template holes are parsed at their real offsets.
 * Never throws, whatever the input: every problem is a diagnostic (SYN0xxx), sorted by offset, and an
 * unparseable part is left out of the AST (or becomes a `Missing` node). Spans are UTF-16 offsets into `text`.
 */
export function parseSynth(text: string, path: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = T.synthLexer.tokenize(text);
  for (const e of lexed.errors) {
    diagnostics.push(makeDiagnostic('SYN0003', path, { start: e.offset, end: e.offset + Math.max(1, e.length) }, { char: text.substr(e.offset, 1) }));
  }
  const comments: A.Comment[] = [];
  for (const c of (lexed.groups['comments'] ?? []) as IToken[]) {
    if (c.tokenType === T.UnterminatedBlockComment) {
      diagnostics.push(makeDiagnostic('SYN0007', path, { start: c.startOffset, end: c.startOffset + 2 }));
    }
    comments.push({ kind: 'Comment', text: c.image, span: { start: c.startOffset, end: c.startOffset + c.image.length } });
  }
  const tokens = genericTypes(path, lexProblems(path, lexed.tokens, diagnostics), diagnostics);
  const parser = getParser();

  const parseHole = (holeText: string, offset: number): A.Expr => {
    const sub = T.synthLexer.tokenize(holeText);
    for (const e of sub.errors) {
      diagnostics.push(makeDiagnostic('SYN0003', path, { start: offset + e.offset, end: offset + e.offset + Math.max(1, e.length) }, { char: holeText.substr(e.offset, 1) }));
    }
    const shifted = sub.tokens.map((t) => ({ ...t, startOffset: t.startOffset + offset, endOffset: (t.endOffset ?? t.startOffset) + offset }));
    const deep = tooDeepAt(shifted);
    if (deep) {
      diagnostics.push(tooDeep(path, { start: deep.startOffset, end: deep.startOffset + deep.image.length }));
      return { kind: 'Missing', span: { start: offset, end: offset + holeText.length } };
    }
    parser.input = shifted;
    const cst = guardStack(() => parser.expr());
    if (!cst) {
      diagnostics.push(tooDeep(path, { start: offset, end: offset + holeText.length }));
      return { kind: 'Missing', span: { start: offset, end: offset + holeText.length } };
    }
    reportErrors(parser.errors, shifted, offset + holeText.length);
    return builder.expr(cst);
  };

  const reportErrors = (errors: IRecognitionException[], segTokens: IToken[], endOffset: number) => {
    // One error per position: recovery can report the same spot several times.
    const seen = new Set<number>();
    for (const e of errors) {
      let tok = e.token;
      let span: A.Span;
      if (!Number.isFinite(tok.startOffset)) {
        // Error at an inserted or EOF token: report at the end of the previous real token.
        const pt = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
        const prev = pt && Number.isFinite(pt.startOffset) ? pt : segTokens[segTokens.length - 1];
        const at = prev ? (prev.endOffset ?? prev.startOffset) + 1 : endOffset;
        span = { start: at, end: at };
        tok = { ...tok, image: '' };
      } else {
        span = { start: tok.startOffset, end: (tok.endOffset ?? tok.startOffset) + 1 };
      }
      if (seen.has(span.start)) continue;
      seen.add(span.start);
      const expected = e.name === 'NotAllInputParsedException' ? '' : expectedList(e);
      const found = describeFound(e.token);
      diagnostics.push(expected ? makeDiagnostic('SYN0001', path, span, { expected, found }) : makeDiagnostic('SYN0006', path, span, { found }));
    }
  };

  const builder = new AstBuilder({
    template: (tok) => {
      const span = { start: tok.startOffset, end: tok.startOffset + tok.image.length };
      const { template, problems } = parseTemplate(tok.image, span, parseHole);
      for (const p of problems) diagnostics.push(makeDiagnostic(p.kind === 'unclosed' ? 'SYN0004' : 'SYN0011', path, p.span));
      return template;
    },
    invalidNumber: (span, raw, what) => diagnostics.push(makeDiagnostic('SYN0005', path, span, { raw, what })),
    chainedRange: (span) => diagnostics.push(makeDiagnostic('SYN0010', path, span)),
    misplacedUsing: (span) => diagnostics.push(makeDiagnostic('SYN0015', path, span)),
  });

  const file: A.SynthFile = { kind: 'File', path, imports: [], decls: [], comments, span: { start: 0, end: text.length } };
  for (const seg of splitSegments(tokens)) {
    const first = seg[0]!;
    if (!isDeclStart(seg, 0)) {
      const last = seg[seg.length - 1]!;
      diagnostics.push(
        makeDiagnostic('SYN0009', path, { start: first.startOffset, end: Math.min(last.startOffset + last.image.length, first.startOffset + first.image.length) }, { found: describeFound(first) }),
      );
      continue;
    }
    const deep = tooDeepAt(seg);
    if (deep) {
      diagnostics.push(tooDeep(path, { start: deep.startOffset, end: deep.startOffset + deep.image.length }));
      continue;
    }
    parser.input = seg;
    const cst = guardStack(() => parser.decl());
    if (!cst) {
      diagnostics.push(tooDeep(path, { start: first.startOffset, end: first.startOffset + first.image.length }));
      continue;
    }
    const segErrors = parser.errors;
    const last = seg[seg.length - 1]!;
    reportErrors(segErrors, seg, last.startOffset + last.image.length);
    const decl = builder.decl(cst);
    if (!decl) continue;
    // Each level of AST nesting consumes a token or, inside a template hole, a character of a string: a small
    // segment cannot be too deep, so only large ones are walked.
    let bound = seg.length;
    for (const t of seg) if (t.tokenType === T.StringLit || t.tokenType === T.TripleString) bound += t.image.length;
    const deepAst = bound + 16 > MAX_AST_DEPTH ? tooDeepAst(decl) : undefined;
    if (deepAst) {
      diagnostics.push(tooDeep(path, deepAst));
      continue;
    }
    if (decl.kind === 'Import') file.imports.push(decl);
    else file.decls.push(decl);
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { file, diagnostics };
}

/**
 * Steps that precompute what the parser otherwise computes on the first error in each production (see
 * `SynthCstParser.warmUpSteps`); each step is at most tens of milliseconds. For long-lived callers.
 */
export function parserWarmUpSteps(): Array<() => void> {
  return getParser().warmUpSteps();
}
