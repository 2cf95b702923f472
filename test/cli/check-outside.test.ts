// SYN4002 for a table outside the project offers `--allow-outside-project`; `synth check` takes that flag (as
// `synth run` does), so the spec that runs with it can be checked, its outside table's rows included (adv14 #7).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synth } from '../support/cli.js';

describe('synth check with a table outside the project', () => {
  it('offers --allow-outside-project, and with it checks the table (a bad row: SYN5050)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-outside-'));
    mkdirSync(path.join(dir, 'p'));
    writeFileSync(path.join(dir, 'outside.csv'), 'name,age\nann,30\nbob,x\n');
    const spec = path.join(dir, 'p', 's.synth');
    writeFileSync(spec, 'struct P { name: string, age: int }\nsource people: P = table("../outside.csv")\ndataset d: P {\n  for p in people\n  row = { name: p.name, age: p.age }\n  output "out/d.jsonl"\n}\n');
    const plain = synth(['check', spec]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('SYN4002');
    expect(plain.stderr).toContain('--allow-outside-project');
    const allowed = synth(['check', spec, '--allow-outside-project']);
    expect(allowed.stderr).not.toContain('SYN4102');
    expect(allowed.code).toBe(1);
    expect(allowed.stderr).toMatch(/outside\.csv:3:5: error SYN5050: row 2 of table 'people': column 'age'/);
    writeFileSync(path.join(dir, 'outside.csv'), 'name,age\nann,30\n');
    const ok = synth(['check', spec, '--allow-outside-project']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
