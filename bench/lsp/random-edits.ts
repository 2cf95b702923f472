// The random-edit stress script shared by `bench/lsp/stress.ts` (the real server over stdio) and
// `bench/lsp/in-process.ts --random` (the same edits on a Workspace, timed per stage).
//
// An editing session as a user makes one, seeded: a run of 1–20 random edits anywhere in the document, then the
// same edits undone one by one (Ctrl+Z), then another run. An edit is typing (an identifier character, a digit, a
// space), a backspace, a newline, a language fragment (the fuzz test's: braces, quotes, `"""`, `/*`, keywords,
// whole declaration headers), a deleted run of up to 40 characters, pasted garbage or a moved chunk. So the
// document is broken and repaired in every way the fuzz test breaks it, but stays near the spec, like a file being
// worked on. After every edit one request is sent, in rotation: diagnostics (wait for the publication), completion
// at the cursor, hover and definition on an identifier near the edit, semantic tokens (delta after the first).
import type { Rng } from '../../test/support/prng.js';
import { mulberry32 } from '../../test/support/prng.js';

export type Ask = 'diagnostics' | 'completion' | 'hover' | 'definition' | 'semanticTokens';
export const ASKS: readonly Ask[] = ['diagnostics', 'completion', 'hover', 'definition', 'semanticTokens'];

export interface Step {
  /** the edit: replace [at, at + remove) of the previous text with `insert` */
  at: number;
  remove: number;
  insert: string;
  /** the text after the edit */
  text: string;
  /** the request sent right after the edit, and its offset in `text` */
  ask: Ask;
  askAt: number;
  undo: boolean;
}

const FRAGMENTS = [
  '{', '}', '(', ')', '[', ']', '"', '"""', '/*', '*/', '//', '\n', ' ', '.', ',', ':', '~', '=', '->', '@len(1..3)', '{x}',
  'dataset d: T {\n', 'struct S {\n  a: int\n}\n', 'enum E { a, b }\n', 'prompt p(x: int) -> S {\n', 'model m {', 'sim s {\n',
  'row = ', 'vary q ~ uniform(', 'count 10\n', 'check ', 'row.', 'Tier.', 'goal ', 'rule r {', 'emit ',
  'weighted { a: 0.5 }', 'let z = 1\n', '€', 'ü', '\t', '0.', '1_000', '5s',
];
const TYPED = 'abcdefghijklmnopqrstuvwxyz_0123456789 ';

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

function randomEdit(text: string, rnd: Rng): Edit {
  const at = Math.floor(rnd() * (text.length + 1));
  const r = rnd();
  const rest = text.length - at;
  if (r < 0.4) return { at, remove: 0, insert: TYPED[Math.floor(rnd() * TYPED.length)]! };
  if (r < 0.55 && rest > 0) return { at, remove: 1, insert: '' };
  if (r < 0.6) return { at, remove: 0, insert: '\n' };
  if (r < 0.8) return { at, remove: 0, insert: FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)]! };
  if (r < 0.9 && rest > 0) return { at, remove: 1 + Math.floor(rnd() * Math.min(40, rest)), insert: '' };
  if (r < 0.95) {
    let g = '';
    const n = 1 + Math.floor(rnd() * 8);
    for (let i = 0; i < n; i++) g += String.fromCharCode(32 + Math.floor(rnd() * 95));
    return { at, remove: 0, insert: g };
  }
  // a chunk moved: cut here, pasted at the cut point of another line (one replace covering both)
  const len = Math.min(rest, Math.floor(rnd() * 60));
  const to = Math.min(text.length - len, at + Math.floor(rnd() * 400));
  if (len === 0 || to <= at) return { at, remove: 0, insert: ' ' };
  const chunk = text.slice(at, at + len);
  const between = text.slice(at + len, to + len);
  return { at, remove: to + len - at, insert: between + chunk };
}

/** An identifier near `at` (within 400 characters), for hover and definition: the offset of its middle. */
function identNear(text: string, at: number, rnd: Rng): number {
  const from = Math.max(0, at - 400);
  const window = text.slice(from, at + 400);
  const hits: number[] = [];
  for (const m of window.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) hits.push(from + m.index + (m[0].length >> 1));
  return hits.length ? hits[Math.floor(rnd() * hits.length)]! : at;
}

/** The stress session: `count` steps over `text`, reproducible from `seed`. */
export function* stressSteps(text: string, count: number, seed = 13): Generator<Step> {
  const rnd = mulberry32(seed);
  const undo: Edit[] = [];
  let run = 0;
  for (let i = 0; i < count; i++) {
    let e: Edit;
    let isUndo = false;
    if (run === 0 && undo.length > 0) {
      e = undo.pop()!;
      isUndo = true;
    } else {
      if (run === 0) run = 1 + Math.floor(rnd() * 20);
      e = randomEdit(text, rnd);
      undo.push({ at: e.at, remove: e.insert.length, insert: text.slice(e.at, e.at + e.remove) });
      run--;
    }
    text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.remove);
    const ask = ASKS[i % ASKS.length]!;
    const askAt = ask === 'hover' || ask === 'definition' ? identNear(text, e.at, rnd) : e.at + e.insert.length;
    yield { ...e, text, ask, askAt, undo: isUndo };
  }
}

/** The p-th percentile (0..1) of `xs`, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}
