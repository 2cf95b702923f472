// A performance fix for syntax errors, installed by the server on the compiler's shared parser instance.
//
// Chevrotain 11 builds every "expected …" message by recomputing the grammar's lookahead paths for the failing
// alternation/repetition (`getLookaheadPathsForOr` — its own source says "can be slow … consider caching").
// With maxLookahead 3 that costs milliseconds per error, so one declaration full of typing garbage took
// 100–500 ms to parse. The paths depend only on (rule, occurrence, production type), so they are cached here;
// the messages are byte-for-byte the same. This belongs in grammar/cst-parser.ts (SynthCstParser overriding
// both methods); once it is there, delete this file and its call in server.ts.
import { EarlyExitException, NoViableAltException, getLookaheadPaths, type IToken, type TokenType } from 'chevrotain';
import { getParser } from '../grammar/cst-parser.js';

const PROD_NAMES = ['Option', 'Repetition', 'RepetitionMandatory', 'RepetitionMandatoryWithSeparator', 'RepetitionWithSeparator', 'Alternation'] as const;

interface ParserInternals {
  getCurrRuleFullName(): string;
  getGAstProductions(): Record<string, unknown>;
  maxLookahead: number;
  LA(i: number): IToken;
  SAVE_ERROR(e: Error): Error;
  errorMessageProvider: {
    buildNoViableAltMessage(o: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; previous: IToken; customUserDescription?: string; ruleName: string }): string;
    buildEarlyExitMessage(o: { expectedIterationPaths: TokenType[][]; actual: IToken[]; previous: IToken; customUserDescription?: string; ruleName: string }): string;
  };
  raiseNoAltException(occurrence: number, errMsgTypes?: string): never;
  raiseEarlyExitException(occurrence: number, prodType: number, userDefinedErrMsg?: string): never;
}

let installed = false;

export function installParserErrorCache(): void {
  if (installed) return;
  installed = true;
  const parser = getParser() as unknown as ParserInternals;
  const cache = new Map<string, TokenType[][][]>();
  const paths = (ruleName: string, occurrence: number, prodType: (typeof PROD_NAMES)[number]): TokenType[][][] => {
    const key = `${ruleName}\u0000${occurrence}\u0000${prodType}`;
    let hit = cache.get(key);
    if (!hit) {
      const rule = parser.getGAstProductions()[ruleName];
      hit = getLookaheadPaths({ occurrence, rule: rule as never, prodType, maxLookahead: parser.maxLookahead }) as TokenType[][][];
      cache.set(key, hit);
    }
    return hit;
  };
  const actual = (): IToken[] => {
    const out: IToken[] = [];
    for (let i = 1; i <= parser.maxLookahead; i++) out.push(parser.LA(i));
    return out;
  };
  parser.raiseNoAltException = function (occurrence: number, errMsgTypes?: string): never {
    const ruleName = parser.getCurrRuleFullName();
    const previous = parser.LA(0);
    const msg = parser.errorMessageProvider.buildNoViableAltMessage({
      expectedPathsPerAlt: paths(ruleName, occurrence, 'Alternation'),
      actual: actual(),
      previous,
      customUserDescription: errMsgTypes,
      ruleName,
    });
    throw parser.SAVE_ERROR(new NoViableAltException(msg, parser.LA(1), previous));
  };
  parser.raiseEarlyExitException = function (occurrence: number, prodType: number, userDefinedErrMsg?: string): never {
    const ruleName = parser.getCurrRuleFullName();
    const name = PROD_NAMES[prodType] ?? 'Repetition';
    const msg = parser.errorMessageProvider.buildEarlyExitMessage({
      expectedIterationPaths: paths(ruleName, occurrence, name)[0]!,
      actual: actual(),
      previous: parser.LA(0),
      customUserDescription: userDefinedErrMsg,
      ruleName,
    });
    throw parser.SAVE_ERROR(new EarlyExitException(msg, parser.LA(1), parser.LA(0)));
  };
}
