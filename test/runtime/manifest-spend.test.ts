// The manifest tells the calls behind the rows it describes apart from everything spent (adv17 #5: a 300-row
// output said `calls: 1000`, counting the rows of three earlier definitions): `counts.calls` and its siblings
// count the results the output is built from, `spent` every call its journal paid for, superseded ones included.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { mergeShards } from '../../runtime/merge.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { run } from '../../runtime/run/run-plan.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { project } from '../support/synth.js';

const KEY = 'sk-test-SPEND-51c0ffee';
const SPEC = (seed: number, count: number) => `goal "spend" { seed ${seed} }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  concurrency 8
  price { input: 1, output: 1 }
}
struct Note { text: string  @len(1..40) }
prompt note(i: int) -> Note { model m user "Write note {i}." }
struct R { i: int  text: string }
dataset d: R {
  count ${count}
  vary i ~ randint(0, 1000000)
  let n = note(i)
  row = { i: i, text: n.text }
  output "out/d.jsonl"
}
`;

describe('manifest: calls for the rows written vs calls spent', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true, apiKey: KEY });
  });
  afterAll(async () => {
    await server.close();
  });

  it('a changed definition remakes the rows: counts describe the output, spent adds the superseded ones', async () => {
    const { dir, file } = project(SPEC(1, 30), { prefix: 'synth-spend-' });
    const env = { TEST_BASE_URL: server.url, TEST_API_KEY: KEY };
    const manifest = () => JSON.parse(readFileSync(path.join(dir, 'out', 'd.manifest.json'), 'utf8'));
    const runIt = async () => {
      const before = server.stats().requests;
      await run(buildPlan(checkFile(file)).plan, { projectRoot: dir, env });
      return server.stats().requests - before;
    };
    expect(await runIt()).toBe(30);
    const first = manifest();
    expect(first.counts.calls).toBe(30);
    expect(first.spent.calls).toBe(30);
    // a new seed: every row is made again (30 new calls); the first definition's 30 are spent, not in the rows
    writeFileSync(file, SPEC(2, 30));
    expect(await runIt()).toBe(30);
    const second = manifest();
    expect(second.reuse.remade).toBe(30);
    expect(second.counts.calls).toBe(30);
    expect(second.spent.calls).toBe(60);
    expect(second.spent.attempts).toBe(2 * first.spent.attempts);
    // tokens and cost_usd are what was spent (both definitions)
    expect(second.tokens.prompt).toBeGreaterThan(first.tokens.prompt);
    // the report says both
    const { html } = await buildReport(path.join(dir, 'out'));
    expect(html).toContain('<div><b>LLM calls</b> 30</div>');
    expect(html).toContain('<div><b>calls spent in all runs</b> 60</div>');
    // a rerun reuses every row: no request; the rows' calls are still theirs, nothing more is spent
    expect(await runIt()).toBe(0);
    const third = manifest();
    expect(third.reuse.reused).toBe(30);
    expect(third.counts).toEqual(second.counts);
    expect(third.spent).toEqual(second.spent);
    expect(third.tokens).toEqual(second.tokens);
    // fewer rows asked for: the output's counts shrink with it, the spend stays
    writeFileSync(file, SPEC(2, 10));
    expect(await runIt()).toBe(0);
    const fourth = manifest();
    expect(fourth.counts.written).toBe(10);
    expect(fourth.counts.calls).toBe(10);
    expect(fourth.spent.calls).toBe(60);
  }, 60_000);

  it('merged shards: every shard\'s calls, in counts and in spent', async () => {
    const { dir, file } = project(SPEC(3, 24), { prefix: 'synth-spend-shards-' });
    const env = { TEST_BASE_URL: server.url, TEST_API_KEY: KEY };
    const plan = buildPlan(checkFile(file)).plan;
    const dirs = [0, 1, 2].map((i) => path.join(dir, `s${i}`));
    for (let i = 0; i < 3; i++) await run(plan, { projectRoot: dir, env, outDir: dirs[i]!, shard: { index: i, count: 3 } });
    const shards = dirs.map((d, i) => JSON.parse(readFileSync(path.join(d, `d.shard-${i}-of-3.manifest.json`), 'utf8')));
    const [r] = await mergeShards(dirs, path.join(dir, 'merged'));
    const merged = JSON.parse(readFileSync(r!.output.replace(/\.jsonl$/, '.manifest.json'), 'utf8'));
    const total = shards.reduce((a, m) => a + m.counts.calls, 0);
    expect(total).toBeGreaterThanOrEqual(24);
    expect(merged.counts.calls).toBe(total);
    expect(merged.spent.calls).toBe(shards.reduce((a, m) => a + m.spent.calls, 0));
  }, 60_000);
});
