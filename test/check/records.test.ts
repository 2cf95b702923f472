// Record literals assigned to struct-typed fields are checked structurally and recursively (#12): the issue's
// example is accepted, a wrong nested field is rejected at that field with its path, lists of records likewise, and
// the property holds for generated nestings: every single mistake planted at any depth is reported exactly once,
// at the planted node, and a literal without mistakes gives no diagnostic.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { run } from '../../runtime/run/run-plan.js';
import { mulberry32, type Rng } from '../support/prng.js';

function check(text: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-records-'));
  const f = path.join(dir, 's.synth');
  writeFileSync(f, text);
  const res = checkFile(f);
  return { dir, res, text, errors: res.diagnostics.filter((d) => d.severity === 'error') };
}

const SIM = `sim s {
  worlds 2
  agents 3
  steps 4
  state x: f32 = uniform(0.0, 10.0)
  state y: f32 = uniform(0.0, 10.0)
  rule r { if x > 5.0 { emit incident { x: x, y: y } } }
  event incident { x: f32, y: f32 }
  observe every 2 { x }
}
`;

describe('record literals against struct types', () => {
  it("accepts the issue's example: row = { kind: \"a\", location: { x: e.x, y: e.y } } with location: Position — and runs it", async () => {
    const c = check(`struct Position { x: float  y: float }
struct Incident { kind: string  location: Position }
${SIM}
dataset incidents: Incident {
  for e in s.incident
  row = { kind: "a", location: { x: e.x, y: e.y } }
  output "out/incidents.jsonl"
}
`);
    expect(c.errors).toEqual([]);
    await run(buildPlan(c.res).plan, { projectRoot: c.dir });
    const rows = await readRows(path.join(c.dir, 'out', 'incidents.jsonl'), 'jsonl');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(Object.keys(r['location'] as object).sort()).toEqual(['x', 'y']);
  });

  it('rejects a wrong nested field with a precise message at that field', () => {
    const c = check(`struct Position { x: float  y: float }
struct Incident { kind: string  location: Position }
${SIM}
dataset incidents: Incident {
  for e in s.incident
  row = { kind: "a", location: { x: e.x, y: "north" } }
  output "out/incidents.jsonl"
}
`);
    expect(c.errors.map((d) => [d.code, d.message, c.text.slice(d.span.start, d.span.end)])).toEqual([['SYN2030', "field 'location.y' of Incident must be float, found \"north\"", '"north"']]);
  });

  it('lists of records, optional structs and records held in a let', () => {
    const c = check(`struct Position { x: float  y: float }
struct Leg { from: Position  to: Position  note: string? }
struct Route { name: string  legs: Leg[]  home: Position? }
dataset routes: Route {
  count 2
  vary a ~ uniform(0.0, 1.0)
  let p = { x: a, y: 2.0 }
  row = { name: "r", legs: [{ from: p, to: { x: 1, y: 2.0 } }, { from: { x: 0.0, y: 0.0 }, to: p, note: "back" }], home: p }
  output "out/routes.jsonl"
}
`);
    expect(c.errors).toEqual([]);
    const bad = check(`struct Position { x: float  y: float }
struct Leg { from: Position  to: Position }
struct Route { legs: Leg[] }
dataset routes: Route {
  count 2
  let p = { x: 1.0, z: 2.0 }
  row = { legs: [{ from: p, to: { x: 1.0, y: 2.0 } }, { from: { x: 0.0, y: 0.0 }, tO: { x: 1.0, y: 1.0 } }] }
  output "out/routes.jsonl"
}
`);
    expect(bad.errors.map((d) => [d.code, d.message])).toEqual([
      ['SYN2030', "field 'legs[0].from' of Route must be Position, found { x: float, z: float }"],
      ['SYN2006', "record for Leg is missing field 'to'"],
      ['SYN2005', "Leg has no field 'tO' — did you mean 'to'?"],
    ]);
  });

  it('record literals passed to a prompt parameter of a struct type are checked the same way', () => {
    const c = check(`struct Position { x: float  y: float }
model m { name "x"  api_key env("K") }
prompt describe(at: Position) -> string { model m  user "Describe {at}." }
dataset d {
  count 1
  let t = describe({ x: 1.0, y: true })
  row = { t: t }
  output "out/d.jsonl"
}
`);
    expect(c.errors.map((d) => d.message)).toEqual(["field 'y' of argument 1 (at) of describe must be float, found bool"]);
  });
});

// ---- generated nestings: one mistake planted at a random depth is reported once, at its node

interface Gen {
  structs: string[];
  literal: string;
  /** the planted mistake: its code and the text of the node it must be reported at */
  planted?: { code: string; at: string };
}

/** A random chain of structs S0 ⊃ S1 ⊃ … with scalar and list fields, and a literal for S0 with one planted mistake. */
function generate(rng: Rng, plant: boolean): Gen {
  const depth = 1 + Math.floor(rng() * 5);
  const structs: string[] = [];
  for (let d = 0; d < depth; d++) {
    const inner = d + 1 < depth ? (rng() < 0.5 ? `  child: S${d + 1}` : `  kids: S${d + 1}[]`) : '';
    structs.push(`struct S${d} {\n  n${d}: int\n  t${d}: string\n${inner}\n}`);
  }
  const where = Math.floor(rng() * depth);
  const kind = Math.floor(rng() * 3); // 0: wrong type, 1: unknown key, 2: missing field
  let planted: Gen['planted'];
  const lit = (d: number): string => {
    const fields: string[] = [];
    const here = plant && d === where;
    if (!(here && kind === 2)) fields.push(here && kind === 0 ? `n${d}: "oops${d}"` : `n${d}: ${d}`);
    fields.push(`t${d}: "t"`);
    if (here && kind === 1) fields.push(`bogus${d}: 1`);
    const inner = structs[d]!.includes('child:') ? `child: ${lit(d + 1)}` : structs[d]!.includes('kids:') ? `kids: [${lit(d + 1)}, ${lit(d + 1)}]` : '';
    if (inner) fields.push(inner);
    const text = `{ ${fields.join(', ')} }`;
    return text;
  };
  const literal = lit(0);
  if (plant) {
    if (kind === 0) planted = { code: 'SYN2030', at: `"oops${where}"` };
    if (kind === 1) planted = { code: 'SYN2005', at: `bogus${where}` };
    if (kind === 2) planted = { code: 'SYN2006', at: '' };
  }
  return { structs, literal, planted };
}

describe('record literals: generated nestings (seeded)', () => {
  it('a literal without mistakes checks clean; one planted mistake is reported at its node, once per copy', () => {
    const rng = mulberry32(1212);
    for (let k = 0; k < 60; k++) {
      const plant = k % 4 !== 0;
      const g = generate(rng, plant);
      const c = check(`${g.structs.join('\n')}\ndataset d: S0 {\n  count 1\n  row = ${g.literal}\n  output "out/d.jsonl"\n}\n`);
      if (!g.planted) {
        expect(c.errors, g.literal).toEqual([]);
        continue;
      }
      // a mistake inside a list item appears once per copy of that item
      const copies = g.planted.code === 'SYN2006' ? undefined : c.text.split(g.planted.at).length - 1;
      expect(c.errors.every((d) => d.code === g.planted!.code), `${g.literal}: ${c.errors.map((d) => d.message).join('; ')}`).toBe(true);
      if (copies !== undefined) {
        expect(c.errors).toHaveLength(copies);
        for (const d of c.errors) expect(c.text.slice(d.span.start, d.span.end)).toBe(g.planted.at);
      } else {
        expect(c.errors.length).toBeGreaterThan(0);
        for (const d of c.errors) expect(c.text[d.span.start]).toBe('{');
      }
    }
  });
});
