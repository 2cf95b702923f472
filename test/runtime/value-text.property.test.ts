// Hashes that decide reuse and duplicates tell every value apart (runtime/dataset/value-text.ts): NaN, ±Infinity
// and -0 included, where JSON.stringify writes the first three as `null` and -0 as `0`. Property-tested over
// seeded random values; the adversarial pass's instance (a sim observation turning from +Infinity into
// -Infinity kept a stale row) is a regression test through `run`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import type { Value } from '../../compiler/plan/eval.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { inputHash } from '../../runtime/dataset/provenance.js';
import { exactValueText } from '../../runtime/dataset/value-text.js';
import { run } from '../../runtime/run/run-plan.js';
import { mulberry32, type Rng } from '../support/prng.js';

const NUMBERS = [0, -0, 1, -1, 0.5, 1e300, -1e-300, NaN, Infinity, -Infinity, 2 ** 53, 42];

function randomValue(rng: Rng, depth = 0): Value {
  const r = rng();
  if (depth > 2 || r < 0.5) {
    const k = Math.floor(rng() * 5);
    if (k === 0) return null;
    if (k === 1) return rng() < 0.5;
    if (k === 2) return ['', 'NaN', 'Infinity', 'null', '-0', 'a'][Math.floor(rng() * 6)]!;
    return NUMBERS[Math.floor(rng() * NUMBERS.length)]!;
  }
  if (r < 0.75) return Array.from({ length: Math.floor(rng() * 3) }, () => randomValue(rng, depth + 1));
  const o: Record<string, Value> = {};
  for (let i = Math.floor(rng() * 3); i > 0; i--) o[['a', 'b', 'c'][Math.floor(rng() * 3)]!] = randomValue(rng, depth + 1);
  return o;
}

/** Structural equality where NaN equals NaN and -0 differs from 0 (Object.is on numbers). */
function same(a: Value, b: Value): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Value[]).length && a.every((x, i) => same(x, (b as Value[])[i]!));
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(a[k]!, (b as Record<string, Value>)[k]!));
}

const hasSpecial = (v: Value): boolean =>
  typeof v === 'number' ? !Number.isFinite(v) || Object.is(v, -0) : v !== null && typeof v === 'object' && Object.values(v).some(hasSpecial);

describe('exact value text', () => {
  it('tells apart every two different values of 3,000 seeded ones, and is JSON.stringify where JSON is exact', () => {
    const rng = mulberry32(20240611);
    const values = Array.from({ length: 3000 }, () => randomValue(rng));
    const byText = new Map<string, Value>();
    for (const v of values) {
      const text = exactValueText(v);
      const seen = byText.get(text);
      if (seen !== undefined) expect(same(seen, v), `${text} for two values`).toBe(true);
      else byText.set(text, v);
      if (!hasSpecial(v)) expect(text).toBe(JSON.stringify(v));
    }
    expect(byText.size).toBeGreaterThan(500);
  });

  it('the instances: NaN, Infinity, -Infinity, null and -0 are five inputs; a duplicate key folds -0 into 0 only', () => {
    const inputs = [NaN, Infinity, -Infinity, null, -0, 0, 'NaN'].map((x) => inputHash('k', { x }));
    expect(new Set(inputs).size).toBe(7);
    expect(exactValueText([-0], { negativeZero: false })).toBe(exactValueText([0]));
    expect(exactValueText({ x: NaN }, { negativeZero: false })).not.toBe(exactValueText({ x: null }));
  });

  it('a sim observation that turns from +Infinity into -Infinity remakes its rows (it was reused, exit 0, wrong value)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-inf-'));
    const spec = (x: string) => `sim s {
  worlds 1
  agents 2
  steps 1
  finite_outputs 0
  state d: f32 = 0.0
  state x: f32 = ${x}
  rule go { x = x / d }
  observe every 1 { x }
}
struct R { pos: bool }
dataset t: R {
  for r in s.trajectory
  row = { pos: r.x > 0.0 }
  output "out/t.jsonl"
}
`;
    const file = path.join(dir, 'spec.synth');
    const runSpec = async () => {
      const { plan } = buildPlan(checkFile(file));
      return run(plan, { projectRoot: dir, backend: 'cpu' });
    };
    writeFileSync(file, spec('1.0'));
    await runSpec();
    const before = readFileSync(path.join(dir, 'out', 't.jsonl'), 'utf8');
    writeFileSync(file, spec('-1.0'));
    const s = await runSpec();
    const after = readFileSync(path.join(dir, 'out', 't.jsonl'), 'utf8');
    expect(s.results[0]!.counts.reused).toBe(0);
    expect(s.results[0]!.remadeWhy).toEqual({ 'its input changed': 4 }); // step 0: 1 → -1; step 1: +Inf → -Inf (was reused)
    // the step-1 rows observe -Infinity now: pos is false where it was true
    expect(after).not.toBe(before);
    expect(after.split('\n').filter(Boolean).slice(-2).map((l) => JSON.parse(l) as { pos: boolean })).toEqual([{ pos: false }, { pos: false }]);
  });
});
