// `synth verify DIR`: each output against its manifest's sha256 and row count, and whether its run was complete.
import { appendFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthAsync } from '../support/cli.js';

const SPEC = (fmt: string, row = '{ a: a, t: "x,\\"y\\"" }') => `struct R { a: int  t: string }
dataset d: R {
  count 12
  vary a ~ randint(1, 1000000)
  row = ${row}
  output "out/d.${fmt}"
}
`;

async function project(src: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-verify-'));
  writeFileSync(path.join(dir, 's.synth'), src);
  const run = await synthAsync(['run', path.join(dir, 's.synth')], { cwd: dir });
  return { dir, run, out: (f: string) => path.join(dir, 'out', f) };
}

describe('synth verify', () => {
  for (const fmt of ['jsonl', 'csv', 'parquet']) {
    it(`a ${fmt} output as its run wrote it verifies; a changed one does not (SYN5025)`, async () => {
      const p = await project(SPEC(fmt));
      expect(p.run.code, p.run.stderr).toBe(0);
      const ok = await synthAsync(['verify', path.join(p.dir, 'out')], { cwd: p.dir });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(new RegExp(`^ok out/d\\.${fmt}: 12 rows, sha256 [0-9a-f]{16}…, as recorded\\n$`));
      appendFileSync(p.out(`d.${fmt}`), fmt === 'parquet' ? 'x' : '{"a":1}\n');
      const bad = await synthAsync(['verify', path.join(p.dir, 'out')], { cwd: p.dir });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(new RegExp(`error SYN5025: out/d\\.${fmt}: sha256 is [0-9a-f]{64}, but its manifest says [0-9a-f]{64}`));
    });
  }

  it('a truncated or missing output, and an incomplete run (SYN5026)', async () => {
    const p = await project(SPEC('jsonl'));
    truncateSync(p.out('d.jsonl'), 30);
    expect((await synthAsync(['verify', p.dir], { cwd: p.dir })).stderr).toMatch(/error SYN5025: out\/d\.jsonl: sha256 is/);
    const q = await project(SPEC('jsonl', '{ a: round(10.0 / (a - a)), t: "x" }'));
    expect(q.run.code).toBe(3);
    const r = await synthAsync(['verify', q.dir], { cwd: q.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error SYN5026: out\/d\.jsonl: the manifest says the dataset is incomplete \(0 of 12 rows\)/);
    const none = await synthAsync(['verify', path.join(q.dir, 'nothing-here')], { cwd: q.dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/error SYN5201: '.*nothing-here' does not exist: `synth verify` reads/);
    // a file instead of a folder (the spec, or an output) says what verify takes, never an internal error
    const file = await synthAsync(['verify', path.join(q.dir, 's.synth')], { cwd: q.dir });
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/SYN5201/);
    expect(file.stderr).not.toMatch(/internal error|ENOTDIR/);
  });

  it('an unreadable manifest (SYN5029), a run under --limit (status limited, SYN5026) and failed expectations (SYN5004) all fail', async () => {
    const p = await project(SPEC('jsonl'));
    writeFileSync(p.out('d.manifest.json'), '{"synth": "manif');
    const torn = await synthAsync(['verify', p.dir], { cwd: p.dir });
    expect(torn.code).toBe(1);
    expect(torn.stderr).toMatch(/error SYN5029: out\/d\.manifest\.json is not a readable synth manifest \(not JSON\)/);
    writeFileSync(p.out('d.manifest.json'), '[]');
    expect((await synthAsync(['verify', p.dir], { cwd: p.dir })).stderr).toMatch(/error SYN5029: .*lacks the fields synth writes/);

    const limited = mkdtempSync(path.join(tmpdir(), 'synth-verify-'));
    writeFileSync(path.join(limited, 's.synth'), SPEC('jsonl'));
    const run = await synthAsync(['run', path.join(limited, 's.synth'), '--limit', '3'], { cwd: limited });
    expect(run.code, run.stderr).toBe(0);
    const m = JSON.parse(readFileSync(path.join(limited, 'out', 'd.manifest.json'), 'utf8')) as Record<string, unknown>;
    expect([m['status'], m['limit'], m['target']]).toEqual(['limited', 3, 3]);
    const v = await synthAsync(['verify', limited], { cwd: limited });
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/error SYN5026: out\/d\.jsonl: the manifest says the dataset is limited \(--limit 3\) \(3 of 12 rows\)/);
    // the same run without --limit finishes it, and then it verifies
    expect((await synthAsync(['run', path.join(limited, 's.synth')], { cwd: limited })).code).toBe(0);
    expect((await synthAsync(['verify', limited], { cwd: limited })).code).toBe(0);

    const q = await project(SPEC('jsonl').replace('output', 'expect mean(a) < 0.0\n  output'));
    expect(q.run.code).toBe(1);
    const f = await synthAsync(['verify', q.dir], { cwd: q.dir });
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/error SYN5004: out\/d\.jsonl: an `expect` of its dataset did not hold/);
  });
});
