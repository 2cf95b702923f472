// Two datasets never write one file: the checker refuses outputs that are one file or share a manifest
// (SYN3070, at the second, naming the first), and `--out` — which keeps only file names — refuses outputs it
// would put on one file (SYN5081) before anything runs. The adversarial pass's instances: `d1` and `d2` both
// writing out/d.jsonl (d2's rows overwrote d1's), and out/d.jsonl + out/d.csv sharing out/d.manifest.json.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SynthError } from '../../base/diagnostics.js';
import { checkFile } from '../../compiler/check.js';
import { sharedFile } from '../../compiler/check/outputs.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';

const spec = (a: string, b: string) => `struct R { x: int }
dataset d1: R {
  count 2
  row = { x: 1 }
  output "${a}"
}
dataset d2: R {
  count 2
  row = { x: 2 }
  output "${b}"
}
`;

function check(src: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-clash-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  return { dir, file, result: checkFile(file) };
}

describe('outputs shared between datasets', () => {
  it.each([
    ['out/d.jsonl', 'out/d.jsonl', 'out/d.jsonl'],
    ['out/d.jsonl', 'out/d.csv', 'out/d.manifest.json'],
    ['out/d.parquet', './out//D.jsonl', './out//D.manifest.json'],
    ['out/x/../d.jsonl', 'out/d.csv', 'out/d.manifest.json'],
    ['out/d.keys.jsonl', 'out/d.jsonl', 'out/d.keys.jsonl'],
  ])('%s and %s: SYN3070 at the second output, naming the first and the shared file', (a, b, file) => {
    const { result } = check(spec(a, b));
    const d = result.diagnostics.filter((x) => x.code === 'SYN3070');
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe(`output "${b}" of dataset d2 clashes with dataset d1's output "${a}": both would write ${file}`);
    expect(d[0]!.related?.[0]?.message).toBe("dataset d1's output");
  });

  it('outputs of their own pass', () => {
    for (const [a, b] of [['out/d.jsonl', 'out/e.jsonl'], ['out/d.jsonl', 'out2/d.jsonl'], ['out/d.jsonl', 'out/d.jsonl.csv']]) {
      expect(check(spec(a!, b!)).result.diagnostics.filter((x) => x.code === 'SYN3070'), `${a} ${b}`).toEqual([]);
    }
    expect(sharedFile('a/d.jsonl', 'b/d.jsonl')).toBeUndefined();
  });

  it('--out puts a/d.jsonl and b/d.jsonl on one file: SYN5081 before anything is written', async () => {
    const { dir, result } = check(spec('a/d.jsonl', 'b/d.jsonl'));
    expect(result.hasErrors).toBe(false);
    const { plan } = buildPlan(result);
    const out = path.join(dir, 'flat');
    const e = await run(plan, { projectRoot: dir, outDir: out }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SynthError);
    expect((e as SynthError).code).toBe('SYN5081');
    expect((e as SynthError).message).toMatch(/with --out, datasets d1 and d2 would both write .*flat\/d\.jsonl; nothing was run/);
    expect(existsSync(out)).toBe(false);
    // without --out they are two files
    const s = await run(plan, { projectRoot: dir });
    expect(s.results.map((r) => r.status)).toEqual(['complete', 'complete']);
  });
});
