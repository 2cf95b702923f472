// Text from a spec, its data or a model reaches the terminal with its control characters made visible, on every
// command: an output path or an expectation holding ESC, BEL or a newline must not recolour the terminal, set its
// title or print a fake line (the adversarial pass found `synth run`'s summary printing them raw).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synth } from '../support/cli.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('terminal safety of run output', () => {
  it('synth run: an output path and an expectation with ESC, BEL and a newline print no raw control', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-term-'));
    // raw ESC and BEL inside the spec's strings; the path's newline as Synth's `\n` escape
    const spec = `goal "g" { seed 1 }\nstruct R { s: string }\ndataset d: R {\n  count 3\n  row = { s: "v" }\n  expect share(row.s == "\x1b]0;pwn\x07") <= 1\n  output "out/d\\nfake: line\x1b[32m.jsonl"\n}\n`;
    writeFileSync(path.join(dir, 'e.synth'), spec);
    const r = synth(['run', 'e.synth'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/expect share/);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toMatch(/^fake: /m);
  });
});
