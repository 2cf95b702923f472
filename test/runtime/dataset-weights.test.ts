// A weighted draw from a dataset (`weighted(customers, w)`) meets that dataset's rows only once it is made: a
// weight below 0 (or all weights 0, or no rows at all) is the user's data, so `synth run` shows it like a spec
// error — coded, at the spec's `weighted(…)` call, naming the dataset and the row — and exits 1 (not 2).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synth } from '../support/cli.js';

const SPEC = (w: string, where = '') => `struct C { id: int, w: float }
struct O { cid: int }
source seeds: C = table("seed/c.csv")
dataset cs: C {
  for s in seeds${where}
  row = { id: s.id, w: ${w} }
  output "out/cs.jsonl"
}
dataset os: O {
  count 5
  vary c ~ weighted(cs, w)
  row = { cid: c.id }
  output "out/os.jsonl"
}
`;

function runIn(spec: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-dsw-'));
  writeFileSync(path.join(dir, 's.synth'), spec);
  mkdirSync(path.join(dir, 'seed'));
  writeFileSync(path.join(dir, 'seed', 'c.csv'), 'id,w\n1,1.0\n2,2.0\n3,3.0\n');
  return synth(['run', path.join(dir, 's.synth')], { cwd: dir });
}

describe('weighted(DATASET, column) with weights a draw cannot use', () => {
  it('a negative weight: SYN5061 at the weighted(…) call, naming the dataset and row, exit 1', () => {
    const r = runIn(SPEC('if_else(s.id == 2, -1.5, 1.0)'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/s\.synth:11:\d+: error SYN5061: `vary c` of dataset 'os' draws rows of dataset 'cs' weighted by column 'w', but its row 2 has weight -1\.5/);
    expect(r.stderr).toContain('weighted(cs, w)'); // the excerpt of the spec line
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it('weights that sum to 0: SYN5056 at the call, exit 1', () => {
    const r = runIn(SPEC('0.0'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/s\.synth:11:\d+: error SYN5056: `vary c` draws rows of 'cs' weighted by column 'w', but its weights sum to 0/);
  });

  it('a dataset with no rows: SYN5055 at the call, exit 1', () => {
    const r = runIn(SPEC('1.0', ' where s.id > 10'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/s\.synth:11:\d+: error SYN5055: `vary c` draws a row of 'cs', which has none/);
  });
});
