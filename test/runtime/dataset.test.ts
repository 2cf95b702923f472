import { mkdtempSync, readFileSync, writeFileSync, truncateSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { readRows } from '../../runtime/dataset/read-rows.js';
import { run } from '../../runtime/run/run-plan.js';
import { planOf } from '../support/synth.js';

const SPEC = `goal "records without an LLM" {
  seed 3
  split { train: 0.8, test: 0.2 }
}
enum Color { red, green, blue }
struct Person {
  name: string
  age: int @range(0..120)
  color: Color
  tall: bool
}
dataset people: Person {
  count 300
  vary color ~ weighted { red: 0.5, green: 0.3, blue: 0.2 }
  vary age ~ randint(18, 90)
  vary h ~ normal(170.0, 10.0)
  vary first ~ one_of("ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal")
  row = { name: first + " " + str(age), age: age, color: color, tall: h > 180.0 }
  keep h
  check age < 85
  unique row.name
  expect share(color == red) in 0.4..0.6
  expect mean(row.age) in 80.0..90.0
  output "out/people.FORMAT"
}
`;

function setup(format = 'jsonl') {
  const { dir, plan } = planOf(SPEC.replace('FORMAT', format), { name: 'people.synth', prefix: 'synth-run-' });
  return { dir, plan, out: path.join(dir, 'out', `people.${format}`) };
}

describe('dataset executor', () => {
  it('writes exactly count rows, deterministic, with checks, dedup, keep, split and expectations', async () => {
    const a = setup();
    const s = await run(a.plan, { projectRoot: a.dir });
    const rows = await readRows(a.out, 'jsonl');
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => (r['age'] as number) < 85)).toBe(true);
    expect(new Set(rows.map((r) => r['name'])).size).toBe(300);
    expect(rows.every((r) => typeof r['h'] === 'number' && (r['split'] === 'train' || r['split'] === 'test'))).toBe(true);
    const [share, mean] = s.results[0]!.expects;
    expect(share!.passed).toBe(true);
    expect(mean!.passed).toBe(false); // planted failure: the mean age is near 50
    expect(Object.values(mean!.measured)[0]).toBeGreaterThan(40);
    expect(s.failedExpectations).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(a.dir, 'out', 'people.manifest.json'), 'utf8'));
    expect(manifest.counts.written).toBe(300);
    expect(manifest.status).toBe('failed-expectations');

    const b = setup();
    await run(b.plan, { projectRoot: b.dir });
    expect(readFileSync(b.out, 'utf8')).toBe(readFileSync(a.out, 'utf8'));
  });

  it('resumes after a crash mid-write: no row lost, none duplicated', async () => {
    const ref = setup();
    await run(ref.plan, { projectRoot: ref.dir });
    const expected = readFileSync(ref.out, 'utf8');

    const c = setup();
    await run(c.plan, { projectRoot: c.dir, limit: 120 });
    // Simulate kill -9 in the middle of writing a row: a torn line after the journaled end.
    writeFileSync(c.out, readFileSync(c.out, 'utf8') + '{"name":"torn', { flag: 'w' });
    const journal = path.join(c.dir, '.synth', 'journal', readdirSync(path.join(c.dir, '.synth', 'journal'))[0]!);
    // ... and the last journal line half written.
    const j = readFileSync(journal, 'utf8');
    truncateSync(journal, statSync(journal).size - 5);
    expect(j.length).toBeGreaterThan(5);
    await run(c.plan, { projectRoot: c.dir });
    expect(readFileSync(c.out, 'utf8')).toBe(expected);
  });

  it('writes CSV and Parquet that read back to the same rows', async () => {
    const j = setup('jsonl');
    await run(j.plan, { projectRoot: j.dir });
    const want = await readRows(j.out, 'jsonl');
    for (const fmt of ['csv', 'parquet'] as const) {
      const x = setup(fmt);
      await run(x.plan, { projectRoot: x.dir });
      const got = await readRows(x.out, fmt);
      expect(got).toHaveLength(want.length);
      expect(got.map((r) => r['name'])).toEqual(want.map((r) => r['name']));
      expect(got.map((r) => r['tall'])).toEqual(want.map((r) => r['tall']));
      expect(got.map((r) => Math.round((r['h'] as number) * 1e6))).toEqual(want.map((r) => Math.round((r['h'] as number) * 1e6)));
    }
  });

  it('refuses output paths outside the project folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-run-'));
    const f = path.join(dir, 's.synth');
    writeFileSync(f, 'dataset d { count 1 row = { a: 1 } output "../escape.jsonl" }\n');
    const plan = buildPlan(checkFile(f)).plan;
    await expect(run(plan, { projectRoot: dir })).rejects.toMatchObject({ code: 'SYN4002' });
    const ok = await run(plan, { projectRoot: dir, allowOutsideProject: true });
    expect(ok.results[0]!.counts.written).toBe(1);
  });
});
