// Random edits for the fuzz and incremental-parse tests: insertions of language fragments, deletions, garbage.
import type { Rng } from '../../support/prng.js';

const FRAGMENTS = [
  '{', '}', '(', ')', '[', ']', '"', '"""', '/*', '*/', '//', '\n', ' ', '.', ',', ':', '~', '=', '->', '@len(1..3)', '{x}',
  'dataset d: T {\n', 'struct S {\n  a: int\n}\n', 'enum E { a, b }\n', 'prompt p(x: int) -> S {\n', 'model m {', 'sim s {\n',
  'row = ', 'vary q ~ uniform(', 'count 10\n', 'check ', 'row.', 'Tier.', 'import "x.synth"\n', 'goal ', 'rule r {', 'emit ',
  'weighted { a: 0.5 }', 'let z = 1\n', '€', '\\', 'ü', '\r\n', '\t', '0.', '1_000', '5s',
];

export function randomEdit(text: string, rnd: Rng): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const r = rnd();
  if (r < 0.35 && text.length > 0) {
    const len = 1 + Math.floor(rnd() * Math.min(40, text.length - at));
    return text.slice(0, at) + text.slice(at + len);
  }
  if (r < 0.75) return text.slice(0, at) + FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)]! + text.slice(at);
  if (r < 0.9) {
    let g = '';
    const n = 1 + Math.floor(rnd() * 8);
    for (let i = 0; i < n; i++) g += String.fromCharCode(32 + Math.floor(rnd() * 95));
    return text.slice(0, at) + g + text.slice(at);
  }
  // move a chunk: cut and paste elsewhere
  const len = Math.floor(rnd() * 60);
  const chunk = text.slice(at, at + len);
  const rest = text.slice(0, at) + text.slice(at + len);
  const to = Math.floor(rnd() * (rest.length + 1));
  return rest.slice(0, to) + chunk + rest.slice(to);
}

/**
 * An editing session: runs of 1–20 random edits (`randomEdit`), each run then undone one edit at a time, so texts
 * (and the declarations in them) leave and come back as they do under Ctrl+Z. Yields each text in turn.
 */
export function* editSession(text: string, count: number, rnd: Rng): Generator<string> {
  const undo: string[] = [];
  let run = 0;
  for (let i = 0; i < count; i++) {
    if (run === 0 && undo.length > 0) text = undo.pop()!;
    else {
      if (run === 0) run = 1 + Math.floor(rnd() * 20);
      undo.push(text);
      text = randomEdit(text, rnd);
      run--;
    }
    yield text;
  }
}
