// `mode batch`: a model's chat calls through the provider Batch API (files upload, batch, poll, download) of the
// test server: the same rows as direct mode, partial failures retried, `--no-wait` then collect, a kill while
// waiting picks the submitted batch up again instead of paying twice.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { budgetGuard, promptRunnerFactory } from '../../runtime/wiring.js';
import { BatchRunner } from '../../runtime/llm/batch.js';
import { LlmClient } from '../../runtime/llm/client.js';
import { RowActivity, type RowTicket } from '../../runtime/row-activity.js';
import { mulberry32 } from '../support/prng.js';
import { synthAsync } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { project as writeProject } from '../support/synth.js';

const KEY = 'sk-test-BATCH-0b5e55ed';

const SPEC = (count: number, mode: 'direct' | 'batch') => `goal "batch rows" { seed 5 }
enum Tier { free, pro, enterprise }
struct Ticket {
  subject: string  @len(5..80)
  body: string     @len(20..400)
  priority: int    @range(1..5)
}
model writer {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  mode ${mode}
  retries 8
  timeout 5s
  price { input: 0.15, output: 0.60 }
}
prompt write(tier: Tier, n: int) -> Ticket {
  model writer
  system "You write support tickets."
  user "Ticket number {n} from a {tier} customer."
}
prompt summary(t: Ticket) -> string {
  model writer
  user "Summarise: {t.body}"
}
dataset tickets: Ticket {
  count ${count}
  vary tier ~ uniform(Tier)
  vary n ~ randint(1, 1_000_000_000)
  let t = write(tier, n)
  let s = summary(t)
  row = { subject: t.subject, body: t.body, priority: t.priority }
  keep tier, n, s
  output "out/tickets.jsonl"
}
`;

const project = (src: string) => writeProject(src, { prefix: 'synth-batch-' });

async function runInProcess(dir: string, file: string, server: FakeOpenAI, batch = { wait: true, pollMs: 20, gatherMs: 50 }) {
  const { plan } = buildPlan(checkFile(file));
  const wiring = promptRunnerFactory(plan, dir, budgetGuard(undefined), { env: { TEST_BASE_URL: server.url, TEST_API_KEY: KEY }, backoffBaseMs: 10, batch });
  const s = await run(plan, { projectRoot: dir, prompts: wiring });
  await wiring.close();
  return { s, plan, wiring };
}

const out = (dir: string) => readFileSync(path.join(dir, 'out', 'tickets.jsonl'), 'utf8');
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'out', 'tickets.manifest.json'), 'utf8'));
const records = (dir: string) => (existsSync(path.join(dir, '.synth', 'batches')) ? readdirSync(path.join(dir, '.synth', 'batches'), { recursive: true }).filter((f) => String(f).endsWith('.json')) : []);

describe('provider Batch API (mode batch)', () => {
  let clean: FakeOpenAI;
  let faulty: FakeOpenAI;
  beforeAll(async () => {
    clean = await startFakeOpenAI({ deterministic: true, apiKey: KEY, batch: { latencyMs: 60 } });
    faulty = await startFakeOpenAI({ deterministic: true, apiKey: KEY, batch: { latencyMs: 30, faults: { rate: 0.2 } } });
  });
  afterAll(async () => {
    await clean.close();
    await faulty.close();
  });

  it('writes the same rows as direct mode for the same spec and seed, at the batch price', async () => {
    const direct = project(SPEC(150, 'direct'));
    const d = await runInProcess(direct.dir, direct.file, clean);
    expect(d.s.results[0]!.counts.written).toBe(150);
    const chatBefore = clean.requests.filter((r) => r.path.startsWith('/v1/chat')).length;

    const batched = project(SPEC(150, 'batch'));
    const b = await runInProcess(batched.dir, batched.file, clean);
    expect(b.s.results[0]!.counts.written).toBe(150);
    expect(out(batched.dir)).toBe(out(direct.dir));
    // nothing went to the chat endpoint: two rounds (write, then summary) of one batch each
    expect(clean.requests.filter((r) => r.path.startsWith('/v1/chat')).length).toBe(chatBefore);
    expect(b.wiring.batchRunners()[0]!.stats.batches).toBe(2);
    expect(b.wiring.batchRunners()[0]!.stats.lines).toBe(300);
    expect(records(batched.dir)).toEqual([]); // collected batches leave no record
    const md = manifest(direct.dir);
    const mb = manifest(batched.dir);
    expect(mb.tokens).toEqual(md.tokens);
    expect(mb.cost_usd / md.cost_usd).toBeCloseTo(0.5, 2); // per-call rounding to micro-USD
    expect(mb.counts.calls).toBe(300);
  }, 60_000);

  it('retries partial failures (error lines, missing lines, invalid answers) in later batches', async () => {
    const { dir, file } = project(SPEC(200, 'batch'));
    const { s, plan, wiring } = await runInProcess(dir, file, faulty);
    expect(s.results[0]!.counts.written).toBe(200);
    expect(s.results[0]!.counts.failed).toBe(0);
    const stats = wiring.batchRunners()[0]!.stats;
    expect(stats.batches).toBeGreaterThan(2);
    for (const kind of ['server', 'missing', 'invalid', 'malformed', 'truncated']) expect(stats.lineFailures[kind as never], kind).toBeGreaterThan(0);
    const validate = new Ajv({ allErrors: true }).compile(plan.prompts['write']!.returns.schema as object);
    for (const line of out(dir).split('\n').filter(Boolean)) {
      const { tier: _t, n: _n, s: summary, ...ticket } = JSON.parse(line) as Record<string, unknown>;
      expect(validate(ticket), JSON.stringify(validate.errors)).toBe(true);
      expect(typeof summary).toBe('string');
    }
    expect(faulty.batchStats().lineFaults['missing']).toBeGreaterThan(0);
  }, 60_000);

  it('--no-wait exits 75 after submitting; the next run collects the same batch, sending nothing again', async () => {
    const ref = project(SPEC(60, 'direct'));
    await runInProcess(ref.dir, ref.file, clean);
    const { dir, file } = project(SPEC(60, 'batch'));
    const env = { TEST_BASE_URL: clean.url, TEST_API_KEY: KEY, SYNTH_BATCH_POLL_MS: '20' };
    const batchesBefore = clean.batchStats().batches;
    const first = await synthAsync(['run', file, '--no-wait'], { env });
    expect(first.code, first.stderr).toBe(75);
    expect(first.stderr).toMatch(/batch batch_\w+ submitted; run the same command again/);
    expect(records(dir)).toHaveLength(1);
    expect(readFileSync(path.join(dir, 'out', 'tickets.jsonl'), 'utf8')).toBe('');
    expect(clean.batchStats().batches).toBe(batchesBefore + 1);

    await new Promise((r) => setTimeout(r, 100)); // the provider finishes the batch meanwhile
    const second = await synthAsync(['run', file, '--no-wait'], { env });
    // the first round is collected; the second round (summaries) is submitted
    expect(second.code, second.stderr).toBe(75);
    expect(clean.batchStats().batches).toBe(batchesBefore + 2);
    await new Promise((r) => setTimeout(r, 100));
    const third = await synthAsync(['run', file], { env });
    expect(third.code, third.stderr).toBe(0);
    expect(clean.batchStats().batches).toBe(batchesBefore + 2); // nothing submitted twice
    expect(out(dir)).toBe(out(ref.dir));
    expect(records(dir)).toEqual([]);
    // the key is nowhere under the project: outputs, manifest, cache, batch records
    expect(grepTree(dir, KEY)).toEqual([]);
  }, 60_000);

  it('gathers one batch per round however late rows reach their calls (quiescence, not an idle timer)', async () => {
    // Rows reach each call after a random delay of up to 40 ms, and the idle timer is 1 ms: gathering by the
    // timer would send dozens of batches. Each round must be exactly one batch, on every schedule.
    for (const seed of [1, 2, 3]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'synth-quiet-'));
      const client = new LlmClient({ id: 'writer', model: 'gpt-test', baseUrl: clean.url, concurrency: 8, retries: 3, timeoutMs: 5000 }, { apiKey: KEY, cacheDir: path.join(dir, 'cache') });
      const runner = new BatchRunner(client, { apiKey: KEY, stateDir: dir, wait: true, pollMs: 10, gatherMs: 1 });
      const activity = new RowActivity();
      const rng = mulberry32(seed);
      const call = (row: number, round: number, ticket: RowTicket) =>
        runner.call({ messages: [{ role: 'user', content: `row ${row} round ${round}` }], schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }, schemaName: 'A', rowKey: `r/${row}/${round}` }, undefined, ticket);
      const rows = Array.from({ length: 60 }, async (_, row) => {
        const { ticket, end } = activity.begin();
        try {
          for (let round = 0; round < 3; round++) {
            await new Promise((r) => setTimeout(r, Math.floor(rng() * 40)));
            await call(row, round, ticket);
          }
        } finally {
          end();
        }
      });
      await Promise.all(rows);
      expect(runner.stats.batches, `seed ${seed}`).toBe(3);
      expect(runner.stats.lines).toBe(180);
      await runner.close();
      await client.close();
    }
  }, 60_000);

  it('a run killed while waiting on a batch picks the same batch up again', async () => {
    const slow = await startFakeOpenAI({ deterministic: true, apiKey: KEY, batch: { latencyMs: 1500 } });
    try {
      const { dir, file } = project(SPEC(40, 'batch'));
      const env = { ...process.env, TEST_BASE_URL: slow.url, TEST_API_KEY: KEY, SYNTH_BATCH_POLL_MS: '50', NO_COLOR: '1' };
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'run', file], { env, stdio: 'ignore' });
      const t0 = Date.now();
      while (records(dir).length === 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      expect(records(dir)).toHaveLength(1);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(slow.batchStats().batches).toBe(1);
      const fin = await synthAsync(['run', file], { env: { TEST_BASE_URL: slow.url, TEST_API_KEY: KEY, SYNTH_BATCH_POLL_MS: '50' } });
      expect(fin.code, fin.stderr).toBe(0);
      expect(out(dir).split('\n').filter(Boolean)).toHaveLength(40);
      // round one was the killed run's batch; only the summaries needed a new one
      expect(slow.batchStats().batches).toBe(2);
      expect(slow.batchStats().lines).toBe(80);
    } finally {
      await slow.close();
    }
  }, 60_000);
});

function grepTree(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => readFileSync(f).includes(needle));
}
