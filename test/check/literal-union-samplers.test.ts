// A field typed as a union of string literals (`tier: "free" | "pro"`) can be drawn: `one_of("free", "pro")` and
// `weighted { free: 0.2, pro: 0.8 }` (identifier or string keys) have the literal union as their type, which fills
// the field and is a string wherever one is expected. It was `string`, so no sampler could fill such a field
// (SYN2030 "must be \"free\" | \"pro\", found string"). Seeded over member sets and sampler forms.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInMemory } from '../support/synth.js';
import { mulberry32 } from '../support/prng.js';
import { synth } from '../support/cli.js';

const errors = (src: string) => checkInMemory(src).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

const spec = (members: string[], sampler: string, extra = '') =>
  `struct R { tier: ${members.map((m) => JSON.stringify(m)).join(' | ')}  label: string }\ndataset d: R {\n  count 40\n  vary t ~ ${sampler}\n  row = { tier: t, label: t + "!" }\n${extra}  output "out/d.jsonl"\n}\n`;

describe('samplers over string literals fill a literal-union field', () => {
  it('one_of and weighted (identifier and string keys), any subset of the members (seeded)', () => {
    const r = mulberry32(31);
    const pool = ['free', 'pro', 'enterprise', 'team', 'trial'];
    for (let k = 0; k < 60; k++) {
      const members = pool.filter(() => r() < 0.6);
      if (members.length === 0) continue;
      const used = members.filter(() => r() < 0.7);
      if (used.length === 0) used.push(members[0]!);
      const w = (1 / used.length).toFixed(6);
      const forms = [
        `one_of(${used.map((m) => JSON.stringify(m)).join(', ')})`,
        `weighted { ${used.map((m, i) => `${m}: ${i === used.length - 1 ? (1 - Number(w) * (used.length - 1)).toFixed(6) : w}`).join(', ')} }`,
        `weighted { ${used.map((m, i) => `${JSON.stringify(m)}: ${i === used.length - 1 ? (1 - Number(w) * (used.length - 1)).toFixed(6) : w}`).join(', ')} }`,
      ];
      for (const f of forms) expect(errors(spec(members, f)), `${members.join('|')} ~ ${f}`).toEqual([]);
    }
  });

  it('a value outside the field\'s members is still refused', () => {
    expect(errors(spec(['free', 'pro'], 'one_of("free", "gold")')).join('\n')).toMatch(/SYN2030/);
    expect(errors(spec(['free', 'pro'], 'weighted { free: 0.5, gold: 0.5 }')).join('\n')).toMatch(/SYN2030/);
  });

  // The adversarial pass's regression: such a variable was a string, so comparisons with any text and `match`
  // arms for values it cannot draw were allowed; they still are (a declared union stays strict).
  it('a drawn union compares and matches like a string; declared unions compare when they share a member', () => {
    const src = `struct R { label: string  m: string  ok: bool  k: int }
dataset d: R {
  count 20
  vary t ~ one_of("a", "b")
  vary w ~ weighted { free: 0.6, pro: 0.4 }
  vary s ~ one_of("b", "c")
  let other = "a"
  row = { label: t, m: match w { "free": "F", "pro": "P", default: "?" }, ok: t == s, k: match t { "a": 1, "zzz": 2, default: 3 } }
  check w != "enterprise"
  check t != other
  expect share(w == "team") <= 0.1
  keep w
  output "out/d.jsonl"
}
`;
    expect(errors(src)).toEqual([]);
    // exhaustive over what it draws: no default needed
    expect(errors(spec(['free', 'pro'], 'one_of("free", "pro")', '  check match t { "free": true, "pro": false }\n'))).toEqual([]);
    const declared = (cmp: string) => `struct R { a: "x" | "y"  b: "y" | "z"  c: "p" | "q"  ok: bool }\ndataset d: R {\n  count 1\n  row = { a: "x", b: "y", c: "p", ok: true }\n  check ${cmp}\n  output "out/d.jsonl"\n}\n`;
    expect(errors(declared('row.a == row.b'))).toEqual([]);
    expect(errors(declared('row.a == row.c')).join('\n')).toMatch(/SYN2012/);
    expect(errors(declared('row.a == "w"')).join('\n')).toMatch(/SYN2012/);
  });

  it('runs: every row holds a member, drawn in about the weights', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-union-'));
    writeFileSync(path.join(dir, 's.synth'), `goal "g" { seed 3 }\n` + spec(['free', 'pro'], 'weighted { free: 0.2, pro: 0.8 }').replace('count 40', 'count 400'));
    const r = synth(['run', 's.synth'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(path.join(dir, 'out', 'd.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tier: string; label: string });
    expect(rows).toHaveLength(400);
    expect(new Set(rows.map((x) => x.tier))).toEqual(new Set(['free', 'pro']));
    const pro = rows.filter((x) => x.tier === 'pro').length / rows.length;
    expect(pro).toBeGreaterThan(0.7);
    expect(pro).toBeLessThan(0.9);
    for (const x of rows) expect(x.label).toBe(x.tier + '!');
  });
});
