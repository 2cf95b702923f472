// `weighted(TABLE, col)` and `one_of(TABLE)`: weights whose sum overflows a double still draw by their odds, and
// weights that cannot be drawn by (a negative one, all zero) or an empty table drawn from are the user's mistakes,
// reported by `synth check` and `synth run` at the spec's `weighted(…)` with file:line:col and exit 1 (adv14 #4, #5).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { synth } from '../support/cli.js';

const SPEC = (count: number, draw: string) => `struct P { sku: string, w: float }
struct O { sku: string }
source products: P = table("p.csv")
dataset d: O {
  count ${count}
  vary p ~ ${draw}
  row = { sku: p.sku }
  output "out/d.jsonl"
}
`;

function project(csv: string, count = 3, draw = 'weighted(products, w)'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-weighted-'));
  writeFileSync(path.join(dir, 's.synth'), SPEC(count, draw));
  writeFileSync(path.join(dir, 'p.csv'), csv);
  return dir;
}

describe('weighted(TABLE, col) draws', () => {
  it('follow the weights when their sum overflows (1e308 + 1e308)', async () => {
    const dir = project('sku,w\na,1e308\nb,1e308\nc,0\n', 400);
    await run(buildPlan(checkFile(path.join(dir, 's.synth'))).plan, { projectRoot: dir });
    const skus = readFileSync(path.join(dir, 'out', 'd.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { sku: string }).sku);
    const a = skus.filter((s) => s === 'a').length;
    expect(skus.length).toBe(400);
    expect(skus).not.toContain('c');
    // 400 fair coin flips: 200 ± 5σ (σ = 10)
    expect(Math.abs(a - 200)).toBeLessThan(50);
  });

  const cases: [string, string, string, string][] = [
    ['a negative weight', 'sku,w\na,-1\nb,2\n', 'weighted(products, w)', 'SYN5050'],
    ['weights that are all 0', 'sku,w\na,0\nb,0\n', 'weighted(products, w)', 'SYN5056'],
    ['an empty table, weighted', 'sku,w\n', 'weighted(products, w)', 'SYN5055'],
    ['an empty table, one_of', 'sku,w\n', 'one_of(products)', 'SYN5055'],
  ];
  for (const [what, csv, draw, code] of cases) {
    it(`${what}: ${code} at the draw, from check and run, exit 1`, () => {
      const dir = project(csv, 3, draw);
      const spec = path.join(dir, 's.synth');
      for (const cmd of ['check', 'run']) {
        const r = synth([cmd, spec]);
        expect(r.code, `${cmd}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(`s.synth:6:12: error ${code}`);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    });
  }
});
