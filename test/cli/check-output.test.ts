// `synth check` output stays linear in its input whatever the input: a capped number of diagnostics per file,
// excerpts clipped around the caret (one-line specs), terminal control characters from the spec made visible.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
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
        expect(r.stderr).toMatch(/… and \d+ more diagnostics in .*bad\.synth\n\(showing the first 50 per file and 200 in all/);
        for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(400);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    });
  }

  it('caps the whole output too: a project of 300 broken files prints 200 blocks and a short summary', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-check-many-'));
    const n = 300;
    for (let i = 0; i < n; i++) writeFileSync(path.join(dir, `f${i}.synth`), Array.from({ length: 10 }, (_, k) => `struct S${i}_${k} { a: Nope }`).join('\n'));
    writeFileSync(path.join(dir, 'main.synth'), Array.from({ length: n }, (_, i) => `import "f${i}.synth"`).join('\n'));
    const r = synth(['check', path.join(dir, 'main.synth')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/3000 errors/);
    expect(r.stderr.match(/: error SYN/g)?.length).toBe(200);
    // 20 files named, the rest in one line; 20 files showed all 10, so the other 280 hide theirs
    expect(r.stderr.match(/^… and 10 more diagnostics in .*f\d+\.synth$/gm)?.length).toBe(20);
    expect(r.stderr).toContain('… and 2600 more diagnostics in 260 other files');
    expect(r.stderr.length).toBeLessThan(200 * 3 * 200 + 5_000);
  });

  // Each of these overflowed the call stack (`push(...ds)` past V8's argument limit; one recursion per import)
  it('survives a file with 200,000 diagnostics and a chain of 12,000 imports (no stack overflow)', () => {
    const many = synth(['check', write('#\n'.repeat(200_000))]);
    expect(many.stderr).not.toMatch(/internal error|Maximum call stack|\n\s+at /);
    expect(many.code).toBe(1);
    expect(many.stderr.match(/: error SYN/g)?.length).toBe(50);
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-check-chain-'));
    const depth = 12_000;
    for (let i = 0; i < depth; i++) writeFileSync(path.join(dir, `f${i}.synth`), (i + 1 < depth ? `import "f${i + 1}.synth"\n` : '') + `struct S${i} { a: int }\n`);
    const chain = synth(['check', path.join(dir, 'f0.synth')]);
    expect(chain.stderr).not.toMatch(/internal error|Maximum call stack/);
    expect(chain.code).toBe(0);
    // and a cycle at the bottom of a deep chain is still found
    writeFileSync(path.join(dir, `f${depth - 1}.synth`), `import "f${depth - 2}.synth"\nstruct Last { a: int }\n`);
    const cyc = synth(['check', path.join(dir, 'f0.synth')]);
    expect(cyc.code).toBe(1);
    // the message names the cycle, not the 11,998 files that lead to it
    expect(cyc.stderr).toContain(`import cycle: f${depth - 2}.synth → f${depth - 1}.synth → f${depth - 2}.synth`);
  }, 120_000);

  it('prints no terminal control characters from file names in its summary lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-check-hostile-'));
    const evil = 'x\x1b]0;pwn\x07\x1b[31m\nfake: error.synth';
    writeFileSync(path.join(dir, `${evil}.synth`), Array.from({ length: 5 }, (_, k) => `struct S${k} { a: Nope }`).join('\n'));
    // the raw control characters in the import's string, its newline as Synth's `\n` escape
    writeFileSync(path.join(dir, 'main.synth'), `import "${evil.replace('\n', '\\n')}.synth"\n`);
    const r = synth(['check', path.join(dir, 'main.synth'), '--max-diagnostics', '1']);
    expect(r.stderr).toMatch(/… and 4 more diagnostics in /);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stderr).not.toMatch(/^fake: /m);
  });

  it('a file imported directly and through a symbolic link is one file (no SYN1002 clash with itself, no cycle)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-check-link-'));
    mkdirSync(path.join(dir, 'lib'));
    writeFileSync(path.join(dir, 'lib', 'types.synth'), 'struct Person { name: string }\n');
    symlinkSync(path.join(dir, 'lib'), path.join(dir, 'alias'));
    writeFileSync(path.join(dir, 'a.synth'), 'import "lib/types.synth"\nstruct A { p: Person }\n');
    writeFileSync(path.join(dir, 'main.synth'), 'import "a.synth"\nimport "alias/types.synth"\nstruct M { p: Person }\n');
    const r = synth(['check', path.join(dir, 'main.synth')]);
    expect(r.stderr).not.toMatch(/SYN1002|SYN1007/);
    expect(r.code, r.stderr).toBe(0);
    // a linked file's own imports resolve from where it really is, whichever path reached it (import order
    // changed what `../shared.synth` meant)
    mkdirSync(path.join(dir, 'deep', 'real'), { recursive: true });
    writeFileSync(path.join(dir, 'shared.synth'), 'enum Side { lexical }\n');
    writeFileSync(path.join(dir, 'deep', 'shared.synth'), 'enum Side { physical }\n');
    writeFileSync(path.join(dir, 'deep', 'real', 'b.synth'), 'import "../shared.synth"\n');
    symlinkSync(path.join(dir, 'deep', 'real'), path.join(dir, 'x'));
    for (const order of [['x/b.synth', 'deep/real/b.synth'], ['deep/real/b.synth', 'x/b.synth']]) {
      writeFileSync(path.join(dir, 'm.synth'), order.map((f) => `import "${f}"`).join('\n') + '\nstruct Q { s: Side }\ndataset d: Q {\n  count 1\n  row = { s: physical }\n  output "out/d.jsonl"\n}\n');
      const m = synth(['check', path.join(dir, 'm.synth')]);
      expect(m.code, `${order.join(', ')}: ${m.stderr}`).toBe(0);
    }
    // a real cycle through a link is still one
    writeFileSync(path.join(dir, 'lib', 'types.synth'), 'import "../main.synth"\nstruct Person { name: string }\n');
    expect(synth(['check', path.join(dir, 'main.synth')]).stderr).toMatch(/SYN1007/);
  });

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
