// String literal types widen where a value stops being that literal (adv15 item 5): a `let` given new values in a
// loop takes its first value's type with literals widened (`let acc = ""` then `acc = acc + "x"` was SYN2001
// "must be \"\""), and tool-call arguments are compared widened (`call_tool("f", { a: "x" })` beside
// `{ a: "y" }` was SYN3091, though the chat file's schema says `string` for both). Seeded over literal shapes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { mulberry32, type Rng } from '../support/prng.js';

function errors(src: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-widen-'));
  writeFileSync(path.join(dir, 's.synth'), src);
  return checkFile(path.join(dir, 's.synth')).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const word = (r: Rng) => JSON.stringify(pick(r, ['', 'a', 'x y', 'he said "hi"', 'ünï', '{not a placeholder}'.replace(/[{}]/g, '')]));

/** A literal of some shape, and a new value of the same base type built from it (`v` is the variable). */
function shape(r: Rng, depth = 0): { init: string; next: (v: string) => string; ty: string } {
  const k = depth > 1 ? 0 : Math.floor(r() * 3);
  if (k === 0) {
    const w = word(r);
    return { init: w, next: (v) => pick(r, [`${v} + ${word(r)}`, word(r), `${word(r)} + str(i)`]), ty: 'string' };
  }
  if (k === 1) {
    const inner = shape(r, depth + 1);
    return { init: `[${inner.init}]`, next: (v) => `${v} + [${inner.init}]`, ty: `${inner.ty}[]` };
  }
  const a = shape(r, depth + 1);
  return { init: `{ a: ${a.init}, n: 1 }`, next: () => `{ a: ${a.init}, n: i }`, ty: `{ a: ${a.ty}, n: int }` };
}

describe('literal types widen', () => {
  it('the adversarial pass\'s accumulator: let acc = "" then acc = acc + "x" in a loop', () => {
    expect(errors(`dataset d {\n  count 1\n  let acc = ""\n  for i in 1..3 {\n    acc = acc + "x"\n  }\n  row = { s: acc }\n  output "out/d.jsonl"\n}\n`)).toEqual([]);
  });

  it('seeded: a let of any literal shape takes new values of its base type in a loop', () => {
    const r = mulberry32(15_005);
    for (let n = 0; n < 40; n++) {
      const s = shape(r);
      const src = `dataset d {\n  count 1\n  let v = ${s.init}\n  for i in 1..2 {\n    v = ${s.next('v')}\n  }\n  row = { n: 1 }\n  output "out/d.jsonl"\n}\n`;
      expect(errors(src), src).toEqual([]);
    }
  });

  it('a new value of another base type is still SYN2001', () => {
    const e = errors(`dataset d {\n  count 1\n  let acc = "a"\n  for i in 1..3 {\n    acc = i\n  }\n  row = { n: 1 }\n  output "out/d.jsonl"\n}\n`);
    expect(e).toEqual(["SYN2001 the new value of 'acc' must be string, found int"]);
  });

  it('a let never reassigned keeps its literal type: it fits a field of literal types', () => {
    expect(errors(`struct R { plan: "free" | "pro" }\ndataset d: R {\n  count 1\n  let p = "pro"\n  row = { plan: p }\n  output "out/d.jsonl"\n}\n`)).toEqual([]);
  });

  it('seeded: tool calls whose arguments differ only in literal strings are one type; other types are SYN3091', () => {
    const r = mulberry32(15_3091);
    for (let n = 0; n < 30; n++) {
      const s = shape(r);
      const t = shape(r);
      const same = s.ty === t.ty;
      const src = `struct Conv { messages: message[] }\ndataset d: Conv {\n  count 1\n  let c = call_tool("f", { x: ${s.init} })\n  let e = call_tool("f", { x: ${t.init} })\n  row = { messages: [user("q"), c, tool_result(c, "r"), e, tool_result(e, "r"), assistant("ok")] }\n  format chat { messages: row.messages }\n  output "out/d.jsonl"\n}\n`;
      const e = errors(src);
      if (same) expect(e, src).toEqual([]);
      else expect(e.filter((x) => x.startsWith('SYN3091')), src).toHaveLength(1);
    }
  });
});
