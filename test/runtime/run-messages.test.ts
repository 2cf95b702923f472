// What a run says is the real reason (adv14 item 7): a number JSON cannot write is shown as itself (Infinity,
// never `null`); an integer past 2^53 says integers are exact only up to 2^53 (not its rounded value); a dataset
// short for causes a rerun repeats is SYN5062, not SYN5022's "tried again"; SYN5058 (a dataset draw in a shard)
// comes before any dataset is made.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synth } from '../support/cli.js';

function project(spec: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-msg-'));
  writeFileSync(path.join(dir, 's.synth'), spec);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

const TABLE = `struct P { id: int, age: int, x: float }
source people: P = table("seed/p.jsonl")
dataset d: P {
  for p in people
  row = { id: p.id, age: p.age, x: p.x }
  output "out/d.jsonl"
}
`;

describe('table values JSON cannot show as themselves', () => {
  it('JSONL 1e400 in an int and a float column: Infinity, never null', () => {
    const dir = project(TABLE, { 'seed/p.jsonl': '{"id":1,"age":1e400,"x":1.0}\n{"id":2,"age":3,"x":-1e400}\n' });
    const r = synth(['check', path.join(dir, 's.synth')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/column 'age' must be an int, found Infinity \(a number past the largest float/);
    expect(r.stderr).toMatch(/column 'x' must be a float, found -Infinity/);
    expect(r.stderr).not.toMatch(/found null/);
  });

  it('an integer past 2^53 (JSONL and CSV): exact only up to 2^53, not the rounded value', () => {
    const dir = project(TABLE, { 'seed/p.jsonl': '{"id":9007199254740993,"age":1,"x":1.0}\n' });
    const r = synth(['check', path.join(dir, 's.synth')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/column 'id' must be an int, found a whole number past 2\^53 \(integers are exact only up to 2\^53/);
    expect(r.stderr).not.toContain('9007199254740992');
    const csv = project(TABLE.replace('p.jsonl', 'p.csv'), { 'seed/p.csv': 'id,age,x\n9007199254740993,1,1.0\n' });
    const c = synth(['check', path.join(csv, 's.synth')], { cwd: csv });
    expect(c.stderr).toMatch(/found "9007199254740993" \(integers are exact only up to 2\^53/);
  });
});

describe('a run short for causes a rerun repeats', () => {
  it('a per-row mean of Infinity: the cause shows Infinity, and SYN5062 does not promise a retry', () => {
    const dir = project(`dataset d {
  count 4
  vary k ~ randint(1, 2)
  vary x ~ normal(if_else(k == 1, 1e308 * 10.0, 1.0), 1.0)
  row = { x: x }
  output "out/d.jsonl"
}
`);
    const r = synth(['run', path.join(dir, 's.synth')], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/mean is Infinity \(past the largest float/);
    expect(r.stderr).not.toMatch(/is null for this row/);
    expect(r.stderr).toMatch(/error SYN5062: dataset 'd' has \d+ of 4 rows: \d+ missing \(causes above\), and running the spec again repeats these causes/);
    expect(r.stderr).not.toMatch(/tried again/);
  });

  it('a grid asked for more rows than it has cells: SYN5062', () => {
    const dir = project(`enum Color { red, green, blue }
dataset h {
  count 20
  vary c in Color
  vary n in 1..4
  row = { c: c, n: n }
  output "out/h.jsonl"
}
`);
    const r = synth(['run', path.join(dir, 's.synth')], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/warning SYN3037/);
    expect(r.stderr).toMatch(/error SYN5062: dataset 'h' has 12 of 20 rows: 8 missing/);
  });
});

describe('SYN5058 before anything is made', () => {
  it('a shard of a spec whose second dataset draws from the first: refused, exit 1, the first not made', () => {
    const dir = project(`struct C { tier: string }
dataset cs: C {
  count 3
  vary t ~ one_of("gold", "silver")
  row = { tier: t }
  output "out/cs.jsonl"
}
dataset ds: C {
  count 4
  vary c ~ one_of(cs)
  row = { tier: c.tier }
  output "out/ds.jsonl"
}
`);
    const r = synth(['run', path.join(dir, 's.synth'), '--shard', '0/2', '--out', path.join(dir, 's0')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error SYN5058: `vary c` of dataset 'ds' draws from all rows of dataset 'cs'/);
    expect(existsSync(path.join(dir, 's0', 'cs.shard-0-of-2.jsonl'))).toBe(false);
  });
});
