// Messages that say the real reason (adv14 item 7): `each` names its limit; a constant sampler argument that is no
// finite number (an overflow, a division by 0) is SYN3036 at `synth check` with its value (never `null`, never
// "takes two numbers"); a `count` above the cells of a grid that alone makes the rows is warned of (SYN3037).
import { describe, expect, it } from 'vitest';
import { checkInMemory } from '../support/synth.js';
import { mulberry32, type Rng } from '../support/prng.js';

const codes = (text: string) => checkInMemory(text).diagnostics.map((d) => ({ code: d.code, message: d.message, severity: d.severity }));

const EACH = (each: string) => `source docs = files("docs/*.md")
dataset a {
  for c in docs each ${each}
  row = { text: c.text }
  output "out/a.jsonl"
}
`;

describe('SYN2050 names the limit of `each`', () => {
  for (const each of ['1000000', 'randint(1, 100000)', 'one_of(0, 20000)', 'randint(0, 0)', '0']) {
    it(`each ${each}: SYN2050 saying 1 to 10,000`, () => {
      const d = codes(EACH(each)).filter((x) => x.code === 'SYN2050');
      expect(d).toHaveLength(1);
      expect(d[0]!.message).toContain('from 1 to 10,000');
      expect(d[0]!.message).not.toContain('positive');
    });
  }
  for (const each of ['10000', 'one_of(0, 1, 3)', 'randint(0, 10000)']) {
    it(`each ${each} is accepted`, () => {
      expect(codes(EACH(each)).filter((x) => x.severity === 'error')).toEqual([]);
    });
  }
});

/** A random constant arithmetic expression, fully parenthesised, and its IEEE value. */
function constExpr(rand: Rng, depth: number): { text: string; value: number } {
  const leaves = [['1e308', 1e308], ['0.0', 0], ['1.0', 1], ['2.5', 2.5], ['1e-300', 1e-300], ['3.0', 3]] as const;
  if (depth === 0 || rand() < 0.3) {
    const [text, value] = leaves[Math.floor(rand() * leaves.length)]!;
    return rand() < 0.2 ? { text: `-${text}`, value: -value } : { text, value };
  }
  const l = constExpr(rand, depth - 1);
  const r = constExpr(rand, depth - 1);
  const op = ['+', '-', '*', '/'][Math.floor(rand() * 4)]!;
  const value = op === '+' ? l.value + r.value : op === '-' ? l.value - r.value : op === '*' ? l.value * r.value : l.value / r.value;
  return { text: `(${l.text} ${op} ${r.text})`, value };
}

const DRAW = (sampler: string) => `dataset d {
  count 3
  vary x ~ ${sampler}
  row = { x: x }
  output "out/d.jsonl"
}
`;

describe('SYN3036: a constant sampler argument that is no finite number', () => {
  it('normal(1e308 * 10.0, 1.0), uniform(0.0, 1e308 * 10.0), normal(0.0 / 0.0, 1.0): the value and why', () => {
    const over = codes(DRAW('normal(1e308 * 10.0, 1.0)'));
    expect(over).toEqual([expect.objectContaining({ code: 'SYN3036', message: expect.stringMatching(/argument 1 of normal\(…\) is the constant Infinity: past the largest float/) })]);
    expect(codes(DRAW('uniform(0.0, 1e308 * 10.0)'))).toEqual([expect.objectContaining({ code: 'SYN3036', message: expect.stringMatching(/argument 2 of uniform\(…\) is the constant Infinity/) })]);
    expect(codes(DRAW('normal(0.0 / 0.0, 1.0)'))).toEqual([expect.objectContaining({ code: 'SYN3036', message: expect.stringMatching(/is the constant NaN: not a number/) })]);
  });

  it('seeded: SYN3036 exactly when the constant argument is not finite, naming its value', () => {
    const rand = mulberry32(0x3036);
    let flagged = 0;
    for (let k = 0; k < 150; k++) {
      const e = constExpr(rand, 3);
      const which = rand() < 0.5 ? 0 : 1;
      const args = which === 0 ? `${e.text}, 1.0` : `0.0, ${e.text}`;
      const d = codes(DRAW(`normal(${args})`));
      const got = d.filter((x) => x.code === 'SYN3036');
      if (Number.isFinite(e.value)) {
        expect(got, e.text).toEqual([]);
        // and never "takes two numbers" for a constant that is a number
        expect(d.filter((x) => x.code === 'SYN2008'), e.text).toEqual([]);
      } else {
        flagged++;
        expect(got, e.text).toHaveLength(1);
        expect(got[0]!.message).toContain(`argument ${which + 1} of normal(…) is the constant ${String(e.value)}`);
        expect(got[0]!.message).not.toContain('null');
      }
    }
    expect(flagged).toBeGreaterThan(10);
  });
});

const GRID = (count: string, extra = '') => `enum Color { red, green, blue }
dataset h {
  ${count}
  vary c in Color
  vary n in 1..4
${extra}  row = { c: c, n: n }
  output "out/h.jsonl"
}
`;

describe('SYN3037: count above the grid', () => {
  it('count 20 over 3 × 4 cells: warned, naming both', () => {
    const d = codes(GRID('count 20')).filter((x) => x.code === 'SYN3037');
    expect(d).toEqual([{ code: 'SYN3037', severity: 'warning', message: "dataset 'h' asks for 20 rows, but its grid has 12 cells and nothing else varies: at most 12 rows can be made" }]);
  });
  it('count 12, no count, or a drawn vary beside the grid: no warning', () => {
    expect(codes(GRID('count 12')).filter((x) => x.code === 'SYN3037')).toEqual([]);
    expect(codes(GRID('')).filter((x) => x.code === 'SYN3037')).toEqual([]);
    expect(codes(GRID('count 20', '  vary x ~ normal(0.0, 1.0)\n')).filter((x) => x.code === 'SYN3037')).toEqual([]);
  });
});
