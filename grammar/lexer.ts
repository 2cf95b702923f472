// All of Synth's tokens, in one module. Keywords come in two kinds:
//  - hard keywords (true false if else for in let emit where when default) are reserved;
//  - soft keywords (goal, struct, row, count, ...) start declarations and clauses but remain usable as names
//    (a field may be called `count` or `source`): they are in the Identifier category, and parser rules that
//    accept a name accept them too. Where a clause keyword competes with a generic `key value` setting, the
//    parser tries the clause first.
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/**
 * Token categories (they match no text themselves): every binary operator is a BinaryOp and the parser reads
 * `operand (BinaryOp operand)*`, with precedence applied in to-ast.ts; `-` and `!` are PrefixOps.
 */
export const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA });
export const PrefixOp = createToken({ name: 'PrefixOp', pattern: Lexer.NA });

const softKeywordNames = [
  'goal', 'enum', 'struct', 'model', 'prompt', 'source', 'sim', 'dataset', 'import',
  'rule', 'state', 'param', 'event', 'observe', 'every', 'vary', 'row', 'check', 'keep', 'unique',
  'similarity', 'judge', 'expect', 'output', 'format', 'count', 'each',
] as const;
const hardKeywordNames = ['true', 'false', 'if', 'else', 'for', 'in', 'let', 'emit', 'where', 'when', 'default'] as const;

export type SoftKeyword = (typeof softKeywordNames)[number];
export type HardKeyword = (typeof hardKeywordNames)[number];

function keyword(word: string, soft: boolean): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(`${word}\\b`),
    longer_alt: Identifier,
    categories: soft ? [Identifier] : word === 'in' ? [BinaryOp] : [],
  });
}

export const Kw = Object.fromEntries([
  ...softKeywordNames.map((w) => [w, keyword(w, true)] as const),
  ...hardKeywordNames.map((w) => [w, keyword(w, false)] as const),
]) as Record<SoftKeyword | HardKeyword, TokenType>;

export const SOFT_KEYWORDS: readonly string[] = softKeywordNames;
export const HARD_KEYWORDS: readonly string[] = hardKeywordNames;
/** Keywords that start a top-level declaration (used to split a file into independently parsed segments). */
export const DECL_KEYWORDS = new Set(['goal', 'enum', 'struct', 'model', 'prompt', 'source', 'sim', 'dataset', 'import']);

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\uFEFF]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments' });
export const UnterminatedBlockComment = createToken({ name: 'UnterminatedBlockComment', pattern: /\/\*[\s\S]*/, group: 'comments' });

// String patterns are written "unrolled" (a plain character class run, then (escape, run)*): an alternation inside a
// `*` makes the regex engine keep a backtracking frame per character, which overflows the stack on a multi-MB
// literal. Same language as the obvious form (a seeded comparison in test/fuzz/lexer-patterns.test.ts).
export const TripleString = createToken({ name: 'TripleString', pattern: /"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""/, line_breaks: true });
export const UnterminatedTripleString = createToken({ name: 'UnterminatedTripleString', pattern: /"""[\s\S]*/, line_breaks: true });
export const StringLit = createToken({ name: 'StringLit', pattern: /"[^"\\\n\r]*(?:\\[^\n\r][^"\\\n\r]*)*"/ });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"[^"\\\n\r]*(?:\\[^\n\r][^"\\\n\r]*)*\\?/ });

export const Duration = createToken({ name: 'Duration', pattern: /\d[\d_]*(?:\.\d+)?(?:ms|s|m|h)(?![A-Za-z0-9_])/ });
export const NumberLit = createToken({ name: 'NumberLit', pattern: /\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/ });

const punct = (name: string, pattern: string, categories: TokenType[] = []) => createToken({ name, pattern, categories });
export const Arrow = punct('Arrow', '->');
export const DotDot = punct('DotDot', '..', [BinaryOp]);
export const Dot = punct('Dot', '.');
export const EqEq = punct('EqEq', '==', [BinaryOp]);
export const NotEq = punct('NotEq', '!=', [BinaryOp]);
export const LtEq = punct('LtEq', '<=', [BinaryOp]);
export const GtEq = punct('GtEq', '>=', [BinaryOp]);
export const AndAnd = punct('AndAnd', '&&', [BinaryOp]);
export const OrOr = punct('OrOr', '||', [BinaryOp]);
export const PlusEq = punct('PlusEq', '+=');
export const MinusEq = punct('MinusEq', '-=');
export const StarEq = punct('StarEq', '*=');
export const SlashEq = punct('SlashEq', '/=');
export const Equals = punct('Equals', '=');
export const Lt = punct('Lt', '<', [BinaryOp]);
export const Gt = punct('Gt', '>', [BinaryOp]);
export const Plus = punct('Plus', '+', [BinaryOp]);
export const Minus = punct('Minus', '-', [BinaryOp, PrefixOp]);
export const Star = punct('Star', '*', [BinaryOp]);
export const Slash = punct('Slash', '/', [BinaryOp]);
export const Percent = punct('Percent', '%', [BinaryOp]);
export const Bang = punct('Bang', '!', [PrefixOp]);
export const Tilde = punct('Tilde', '~');
export const Pipe = punct('Pipe', '|');
export const Question = punct('Question', '?');
export const At = punct('At', '@');
export const Colon = punct('Colon', ':');
export const Comma = punct('Comma', ',');
export const Semi = punct('Semi', ';');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LCurly = punct('LCurly', '{');
export const RCurly = punct('RCurly', '}');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  TripleString,
  UnterminatedTripleString,
  StringLit,
  UnterminatedString,
  Duration,
  NumberLit,
  Arrow,
  DotDot,
  Dot,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  AndAnd,
  OrOr,
  PlusEq,
  MinusEq,
  StarEq,
  SlashEq,
  Equals,
  Lt,
  Gt,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  Tilde,
  Pipe,
  Question,
  At,
  Colon,
  Comma,
  Semi,
  LParen,
  RParen,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  ...Object.values(Kw),
  Identifier,
  BinaryOp,
  PrefixOp,
];

export const synthLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
