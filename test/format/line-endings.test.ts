// CR and CRLF line breaks inside string and template literals mean LF: the same spec checked out on Windows
// sends the same prompts (and hits the same cache entries); `synth fmt` writes one line ending (LF) throughout.
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../compiler/format.js';
import { planOf as planOfText } from '../support/synth.js';

const SPEC = `struct Q { q: string }
model m { name "x" api_key env("K") }
prompt ask(topic: string) -> Q {
  model m
  system """
    You write questions.
    One per line.
    """
  user """
    Topic: {topic}
    Write one question.\\r
    """
}
dataset d {
  count 2
  vary t ~ one_of("a", "b")
  row = { q: """
    first
    second
    """ }
  output "out/d.jsonl"
}
`;

const planOf = (text: string): string => planOfText(text, { name: 's.synth', prefix: 'synth-eol-' }).json;

describe('line endings', () => {
  it('a CRLF or CR checkout of a spec gives the very same plan (prompt texts, literals), escapes kept', () => {
    const lf = planOf(SPEC);
    expect(planOf(SPEC.replace(/\n/g, '\r\n'))).toBe(lf);
    expect(planOf(SPEC.replace(/\n/g, '\r'))).toBe(lf);
    // mixed, as an editor might leave it
    expect(planOf(SPEC.split('\n').map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join('').slice(0, -1))).toBe(lf);
    expect(lf).toContain('You write questions.\\nOne per line.');
    expect(lf).toContain('Write one question.\\r'); // the escape `\r` is a CR on purpose
    expect(lf).not.toMatch(/questions\.\\r/);
  });

  it('fmt writes LF only, whatever the input mixed, and is idempotent', () => {
    const mixed = SPEC.split('\n').map((l, i) => l + (i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\n' : '\r')).join('');
    const out = formatSource(mixed).text!;
    expect(out).not.toMatch(/\r/);
    expect(formatSource(out).text).toBe(out);
    expect(out).toBe(formatSource(SPEC).text);
  });
});
