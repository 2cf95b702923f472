// `synth check` output stays linear in its input whatever the input: a capped number of diagnostics per file,
// excerpts clipped around the caret (one-line specs), terminal control characters from the spec made visible.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticPrinter, visible } from '../../cli/render.js';
import { makeDiagnostic } from '../../base/diagnostics.js';
import { synth } from '../support/cli.js';
import { mulberry32 } from '../support/prng.js';

/** An error-riddled spec of about `bytes` bytes: seeded mixes of broken declarations, optionally on one line. */
function riddled(bytes: number, seed: number, oneLine = false): string {
  const rand = mulberry32(seed);
  const bits = [
    (i: number) => `struct S${i} { x: strng  y: in }`,
    (i: number) => `dataset d${i}: Nope${i} { count "x"  row = { a: 1 + "b" } }`,
    (i: number) => `prompt p${i}(a: strng) -> Q { model m  user "hi {zz}" }`,
    (i: number) => `enum E${i} { a, a }`,
    () => `@@@ ### !!! }}} {{{`,
    (i: number) => `sim s${i} { worlds -1  state x: f32 = "a"  rule r { x = y } }`,
  ];
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const s = bits[Math.floor(rand() * bits.length)]!(i);
    parts.push(s);
    n += s.length + 1;
  }
  return parts.join(oneLine ? ' ' : '\n');
}

function write(text: string): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'synth-check-out-')), 'bad.synth');
  writeFileSync(f, text);
  return f;
}

describe('synth check output', () => {
  for (const [label, bytes, oneLine] of [
    ['many lines', 120_000, false],
    ['one long line', 60_000, true],
  ] as const) {
    it(`is bounded for an error-riddled spec (${label}, ${bytes / 1000} KB)`, () => {
      for (const seed of [1, 2]) {
        const text = riddled(bytes, seed, oneLine);
        const r = synth(['check', write(text)]);
        expect(r.code).toBe(1);
        const errors = Number(/(\d+) errors?/.exec(r.stderr)?.[1]);
        expect(errors).toBeGreaterThan(100);
        // 50 blocks of at most ~3 clipped lines, the "and K more" line and the count
        expect(r.stderr.length).toBeLessThan(50 * 3 * 200 + 2_000);
        expect(r.stderr).toMatch(/… and \d+ more diagnostics in .*bad\.synth \(showing the first 50/);
        for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(400);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    });
  }

  it('--max-diagnostics shows more, and rejects what is not a whole number ≥ 1', () => {
    const f = write(riddled(20_000, 3));
    const few = synth(['check', f, '--max-diagnostics', '5']);
    expect(few.stderr.match(/: (error|warning) SYN/g)?.length).toBe(5);
    expect(synth(['check', f, '--max-diagnostics', '80']).stderr.match(/: (error|warning) SYN/g)?.length).toBe(80);
    for (const bad of ['0', '-3', 'abc', '2.5']) {
      const r = synth(['check', f, '--max-diagnostics', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error SYN4101: --max-diagnostics takes a whole number of at least 1, not '${bad}'`);
    }
  });

  it('--format json lists every diagnostic (tools get them all)', () => {
    const f = write(riddled(20_000, 4));
    const r = synth(['check', f, '--format', 'json']);
    const out = JSON.parse(r.stdout) as { diagnostics: unknown[]; errors: number; warnings: number };
    expect(out.diagnostics.length).toBe(out.errors + out.warnings);
    expect(out.diagnostics.length).toBeGreaterThan(50);
  });

  it('clips a long line around the caret, keeping the caret under the offending text', () => {
    const line = 'x'.repeat(5_000) + ' strng ' + 'y'.repeat(5_000);
    const at = line.indexOf('strng');
    const d = makeDiagnostic('SYN1001', 'f.synth', { start: at, end: at + 5 }, { what: 'type', name: 'strng' });
    const [, excerpt, caret] = new DiagnosticPrinter(() => line).render(d)!.split('\n');
    expect(excerpt!.length).toBeLessThan(140);
    const col = caret!.indexOf('^');
    expect(excerpt!.slice(col, col + 5)).toBe('strng');
    expect(caret!.slice(col)).toBe('^^^^^');
  });

  it('makes terminal control characters from the spec visible, one for one', () => {
    expect(visible('a\x1b[31mb\x07c\td\r\u009b')).toBe('a\ufffd[31mb\ufffdc d\ufffd\ufffd');
    // bidi overrides and isolates reorder what a terminal shows (Trojan Source): made visible too
    expect(visible('x\u202ey\u2066z\u200f')).toBe('x\ufffdy\ufffdz\ufffd');
    const text = 'struct S { x: strng }  // \x1b]0;pwned\x07\x1b[2J';
    const d = makeDiagnostic('SYN1001', 'f.synth', { start: 14, end: 19 }, { what: 'type', name: 'strng' });
    const out = new DiagnosticPrinter(() => text).render(d)!;
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
