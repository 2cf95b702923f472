// The string tokens' regular expressions are written unrolled so a multi-megabyte literal cannot overflow the regex
// engine's backtracking stack. They must match exactly what the obvious patterns match: a seeded comparison over
// many short strings of the characters that matter (quotes, backslashes, line breaks), and huge literals end to end.
import { describe, expect, it } from 'vitest';
import { StringLit, TripleString, UnterminatedString } from '../../grammar/lexer.js';
import { parseSynth } from '../../grammar/parse.js';
import { mulberry32 } from '../support/prng.js';

/** The readable forms the lexer used before (overflowed on literals of ~7 MB and more). */
const OBVIOUS: Array<[string, RegExp, RegExp]> = [
  ['StringLit', /"(?:[^"\\\n\r]|\\[^\n\r])*"/y, StringLit.PATTERN as RegExp],
  ['UnterminatedString', /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/y, UnterminatedString.PATTERN as RegExp],
  ['TripleString', /"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""/y, TripleString.PATTERN as RegExp],
];

describe('string token patterns', () => {
  it('match exactly what the obvious patterns match (100,000 seeded strings)', () => {
    const rand = mulberry32(0x1e7e5);
    const mine = OBVIOUS.map(([, , pattern]) => new RegExp(pattern.source, 'y'));
    const alphabet = ['a', '"', '\\', '\n', '\r', ' ', '{', '"'];
    for (let t = 0; t < 100_000; t++) {
      let s = rand() < 0.5 ? '"' : '"""';
      const len = Math.floor(rand() * 14);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      OBVIOUS.forEach(([name, obvious], k) => {
        obvious.lastIndex = 0;
        mine[k]!.lastIndex = 0;
        const [a, b] = [mine[k]!.exec(s)?.[0], obvious.exec(s)?.[0]];
        if (a !== b) expect(a, `${name} on ${JSON.stringify(s)}`).toBe(b);
      });
    }
  });

  it('lex and parse an 8 MB string literal and an 8 MB triple-quoted one without error', () => {
    const big = 'ab\\"c '.repeat(1_400_000);
    for (const lit of [`"${big}"`, `"""\n${big.replace(/ /g, '\n')}\n"""`]) {
      const { file, diagnostics } = parseSynth(`model m { name ${lit} }\n`, 'big.synth');
      expect(diagnostics).toEqual([]);
      expect(file.decls).toHaveLength(1);
    }
  });
});
