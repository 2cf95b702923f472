// Random and mutated .synth inputs for the front-end fuzz test (parse-check.fuzz.test.ts), driven by the seeded
// PRNG of test/support/prng.ts: mutators (truncation, token deletion/duplication/replacement, random bytes,
// unterminated strings/comments/templates, deep nesting, huge numbers, unicode).
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { synthLexer } from '../../grammar/lexer.js';
import { exampleSpecs, ROOT } from '../support/examples.js';

const fixtureDir = path.join(ROOT, 'test', 'fixtures', 'check', 'codes');
export const corpus: string[] = [
  ...exampleSpecs().map((p) => readFileSync(p, 'utf8')),
  ...readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.synth'))
    .map((f) => readFileSync(path.join(fixtureDir, f), 'utf8')),
];

const VOCAB = [
  'goal', 'enum', 'struct', 'model', 'prompt', 'source', 'sim', 'dataset', 'import', 'rule', 'state', 'param',
  'event', 'observe', 'every', 'vary', 'row', 'check', 'keep', 'unique', 'similarity', 'judge', 'expect', 'output',
  'format', 'count', 'each', 'true', 'false', 'if', 'else', 'for', 'in', 'let', 'emit', 'where', 'when', 'default',
  '{', '}', '(', ')', '[', ']', ',', ';', ':', '.', '..', '->', '=', '==', '!=', '<', '<=', '>', '>=', '&&', '||',
  '+', '-', '*', '/', '%', '!', '~', '|', '?', '@', '+=', '"', '"""', '/*', '*/', '//', '\\', '{x}', '\\{',
  'x', 'row', 'Tier', 'weighted', 'uniform', 'env("X")', 'files("*.md")', '0', '1.5', '60s', '1e999',
  'import "imported.synth"', '99999999999999999999999', '1__0', '"s"', '"""\n  t {x}\n  """', '@len(1..2)', 'f32', 'string[]?',
  'fake("person.fullName")', 'locale:', 'date("2024-02-30")', 'datetime("2024-01-01T00:00:00Z")', 'date', 'where e.x > 1',
  'table("t.csv")', 'source t: S = table("t.csv")', 'for q in x.pairs', 'each randint(1, 5)', 'uuid()', 'seq()', 'one_of(t)',
  'weighted(t, x)', '@unique', 'for c in d',
];
const WEIRD = ['\u0000', '\uFEFF', '\u202E', '\uD800', '\uDC00', '😀', 'é', '中', '\r', '\r\n', '\t', '\u2028', '\\', '`', '$', '#', "'"];

function tokenRanges(text: string): Array<[number, number]> {
  return synthLexer.tokenize(text).tokens.map((t) => [t.startOffset, t.startOffset + t.image.length]);
}

type Mutator = (text: string, r: () => number) => string;
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const at = (text: string, r: () => number) => Math.floor(r() * (text.length + 1));

const nest = (depth: number, r: () => number): string => {
  const kind = Math.floor(r() * 9);
  switch (kind) {
    case 0:
      return '('.repeat(depth) + 'x' + ')'.repeat(depth);
    case 1:
      return '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
    case 2:
      return '['.repeat(depth) + '1' + ']'.repeat(depth);
    case 3:
      return '-'.repeat(depth) + '1';
    case 4:
      return 'len('.repeat(depth) + '1' + ')'.repeat(depth);
    case 5:
      return Array(depth).fill('1').join(' + ');
    case 6:
      return 'row' + '.a'.repeat(depth);
    case 7:
      return 'if x { '.repeat(depth) + 'x = 1' + ' }'.repeat(depth);
    default:
      return 'if x { x = 1 } ' + 'else if x { x = 1 } '.repeat(depth);
  }
};

const MUTATORS: Array<[string, Mutator]> = [
  ['truncate', (t, r) => t.slice(0, at(t, r))],
  ['delete-tokens', (t, r) => {
    const toks = tokenRanges(t);
    let out = t;
    for (let k = 1 + Math.floor(r() * 3); k > 0 && toks.length; k--) {
      const [s, e] = toks.splice(Math.floor(r() * toks.length), 1)[0]!;
      if (e <= out.length) out = out.slice(0, s) + ' '.repeat(e - s) + out.slice(e);
    }
    return out;
  }],
  ['duplicate-token', (t, r) => {
    const toks = tokenRanges(t);
    if (!toks.length) return t;
    const [s, e] = pick(toks, r);
    return t.slice(0, e) + ' ' + t.slice(s, e) + t.slice(e);
  }],
  ['insert-vocab', (t, r) => {
    const i = at(t, r);
    return t.slice(0, i) + ' ' + pick(VOCAB, r) + ' ' + t.slice(i);
  }],
  ['replace-token', (t, r) => {
    const toks = tokenRanges(t);
    if (!toks.length) return t;
    const [s, e] = pick(toks, r);
    return t.slice(0, s) + pick(VOCAB, r) + t.slice(e);
  }],
  ['swap-lines', (t, r) => {
    const lines = t.split('\n');
    const i = Math.floor(r() * lines.length);
    const j = Math.floor(r() * lines.length);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  }],
  ['random-bytes', (t, r) => {
    const i = at(t, r);
    let junk = '';
    for (let k = Math.floor(r() * 20); k > 0; k--) junk += r() < 0.5 ? String.fromCharCode(Math.floor(r() * 128)) : pick(WEIRD, r);
    return t.slice(0, i) + junk + t.slice(i);
  }],
  ['unterminated', (t, r) => {
    const i = at(t, r);
    return t.slice(0, i) + pick(['"', '"""', '/*', '"{', '"a {b', '"""\n {x', '\\'], r) + t.slice(i);
  }],
  ['deep-nesting', (t, r) => {
    const depth = pick([50, 200, 1000, 5000], r);
    const body = nest(depth, r);
    const where = r();
    if (where < 0.4) return `dataset d {\n  count 1\n  row = { x: 1 }\n  check ${body}\n}\n` + t;
    if (where < 0.6) return `sim s {\n  state x: f32 = 0.0\n  rule r { ${body} }\n}\n` + t;
    if (where < 0.8) return `prompt p(x: int) {\n  model m\n  user "{${body}}"\n}\n` + t;
    const i = at(t, r);
    return t.slice(0, i) + body + t.slice(i);
  }],
  ['huge-number', (t, r) => t.replace(/\b\d[\d_.]*\b/, pick(['1e999', '9'.repeat(400), '0.' + '0'.repeat(400) + '1', '1_', '1__2', '1.5.5', '60ss', '1e-999', '5_000_000_000_000_000'], r))],
  ['unicode', (t, r) => {
    const i = at(t, r);
    return t.slice(0, i) + pick(WEIRD, r).repeat(1 + Math.floor(r() * 3)) + t.slice(i);
  }],
  ['random-tokens', (_t, r) => {
    const parts: string[] = [];
    for (let k = Math.floor(r() * 80); k > 0; k--) parts.push(pick(VOCAB, r));
    return parts.join(r() < 0.5 ? ' ' : '\n');
  }],
  ['random-text', (_t, r) => {
    let s = '';
    for (let k = Math.floor(r() * 300); k > 0; k--) s += String.fromCharCode(Math.floor(r() * 0x3000));
    return s;
  }],
];

export function generate(r: () => number): { how: string; text: string } {
  let text = pick(corpus, r);
  const how: string[] = [];
  for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
    const [name, m] = pick(MUTATORS, r);
    how.push(name);
    text = m(text, r);
  }
  return { how: how.join('+'), text };
}

