// A `vary` grid with a `check`: each cell is made once — a cell the check drops is not replaced by cycling the
// grid (which wrote cells twice and, with an LLM in the row, paid for them twice) — and the summary says how many
// were filtered. Also with a prompt in the row (one request per cell, counted at the test server), and in shards.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { mergeShards } from '../../runtime/merge.js';
import { run } from '../../runtime/run/run-plan.js';
import { synthAsync } from '../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const GRID = (withPrompt: boolean) => `goal "grid" { seed 9 }
enum Color { red, green, blue }
struct Cell { n: int  color: Color  text: string }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  retries 0
}
prompt describe(n: int, color: Color) -> string {
  model m
  user "Describe {n} {color} things"
}
dataset cells: Cell {
  vary n in 1..5
  vary color in Color
  vary noise ~ uniform(0.0, 1.0)
  let text = ${withPrompt ? 'describe(n, color)' : '"cell " + str(n) + " " + str(color)'}
  row = { n: n, color: color, text: text }
  check n != 3 && !(n == 5 && color == blue)
  output "out/cells.jsonl"
}
`;

function project(src: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-grid-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, src);
  return { dir, file };
}

const cellsOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { n: number; color: string });

describe('a grid with a check', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, apiKey: 'k' });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ TEST_BASE_URL: server.url, TEST_API_KEY: 'k' });

  it('writes each surviving cell once and says how many were filtered', async () => {
    const { dir, file } = project(GRID(false));
    const r = await synthAsync(['run', file], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const cells = cellsOf(path.join(dir, 'out', 'cells.jsonl'));
    const keys = cells.map((c) => `${c.n}/${c.color}`);
    expect(new Set(keys).size).toBe(keys.length);
    // 15 cells, 3 with n == 3 and one (5, blue) dropped
    expect(cells).toHaveLength(11);
    expect(keys).not.toContain('3/red');
    expect(keys).not.toContain('5/blue');
    expect(r.stderr).toMatch(/cells: 11 rows → .* \(0 failed, 4 filtered, 0 duplicates\)/);
    const m = JSON.parse(readFileSync(path.join(dir, 'out', 'cells.manifest.json'), 'utf8'));
    expect(m.status).toBe('complete');
    expect(m.counts.filtered).toBe(4);
  });

  it('with a prompt in the row: one request per cell, never two', async () => {
    const { dir, file } = project(GRID(true));
    const before = server.requests.length;
    const r = await synthAsync(['run', file], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const reqs = server.requests.slice(before).filter((q) => q.path.startsWith('/v1/chat'));
    expect(reqs).toHaveLength(15);
    expect(cellsOf(path.join(dir, 'out', 'cells.jsonl'))).toHaveLength(11);
  });

  it('in shards: each cell once, merged to one run\u2019s bytes', async () => {
    const { dir, file } = project(GRID(false));
    const plan = buildPlan(checkFile(file)).plan;
    await run(plan, { projectRoot: dir, outDir: path.join(dir, 'whole') });
    const dirs = [0, 1, 2].map((i) => path.join(dir, `s${i}`));
    for (const [i, d] of dirs.entries()) await run(plan, { projectRoot: dir, outDir: d, shard: { index: i, count: 3 } });
    const [m] = await mergeShards(dirs, path.join(dir, 'merged'));
    expect(readFileSync(m!.output, 'utf8')).toBe(readFileSync(path.join(dir, 'whole', 'cells.jsonl'), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(dir, 'merged', 'cells.manifest.json'), 'utf8'));
    expect(manifest.status).toBe('complete');
  });
});
