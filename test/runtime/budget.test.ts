// --budget is a ceiling, not a hope (runtime/wiring.ts BudgetGuard). The adversarial instance: 16 rows with a
// 4,000-character argument at $1,000 per million tokens, `--budget 2`: 16 requests went out at once (the budget
// was checked only before each send, and nothing was spent yet), the run spent $16.5 and exited 0 "complete".
// Now every request reserves its worst case (counted prompt tokens × input price + max_tokens × output price)
// before it is sent and settles to its cost after, so the spend stays within the budget, SYN5027 says how much
// was spent, and a run that still ends above the budget never exits 0.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { run } from '../../runtime/run/run-plan.js';
import { budgetGuard } from '../../runtime/wiring.js';
import { runEnding, EXIT } from '../../cli/summary.js';
import { synthAsync } from '../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { mulberry32 } from '../support/prng.js';

const CONTEXT = 'lorem ipsum dolor sit amet '.repeat(150);
const SPEC = (count: number, extra = '') => `struct A { answer: string @len(1..20) }
model m {
  name "gpt-4o-mini"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  max_tokens 16
  concurrency 16
  price { input: 1000, output: 1000 }${extra}
}
prompt ask(context: string, i: int) -> A {
  model m
  user "Context: {context} Question {i}?"
}
dataset d: A {
  count ${count}
  vary i ~ randint(1, 1000000)
  vary context ~ one_of("${CONTEXT}")
  row = ask(context, i)
  output "out/d.jsonl"
}
`;

describe('the budget guard', () => {
  it('2,000 seeded schedules of concurrent reservations: spent + reserved never passes the limit while actual ≤ worst case', () => {
    const rng = mulberry32(3);
    for (let k = 0; k < 2000; k++) {
      const limit = 1 + rng() * 50;
      const g = budgetGuard(limit);
      const inFlight: number[] = [];
      for (let step = 0; step < 60; step++) {
        if (inFlight.length && rng() < 0.5) {
          const held = inFlight.splice(Math.floor(rng() * inFlight.length), 1)[0]!;
          g.settle(held, Math.floor(held * rng()));
        } else {
          const worst = Math.floor(rng() * 8e6);
          if (g.reserve(worst)) inFlight.push(worst);
          else {
            // the message's figures add up past the limit (amounts rounded for display: allow a cent each)
            const m = /^budget of \$([\d.,]+) reached: \$([\d.,]+) spent(?:, \$([\d.,]+) held by requests in flight)?, and the next request could cost up to \$([\d.,]+) more$/.exec(g.exceeded() ?? '');
            expect(m, g.exceeded()).not.toBeNull();
            const [, lim, spent, held, next] = m!.map((x) => Number((x ?? '0').replace(/,/g, '')));
            expect(spent! + held! + next!).toBeGreaterThan(lim! - 0.03);
            expect(held! > 0).toBe(g.reservedMicroUsd > 0); // (asked right after the refusal)
          }
        }
        expect(g.spentMicroUsd + g.reservedMicroUsd).toBeLessThanOrEqual(limit * 1e6);
      }
    }
  });

  it('no limit: every reservation is granted and nothing is ever exceeded', () => {
    const g = budgetGuard(undefined);
    for (let i = 0; i < 100; i++) expect(g.reserve(1e12)).toBe(true);
    g.settle(1e12, 1e12);
    expect(g.exceeded()).toBeUndefined();
  });
});

describe('--budget against concurrent requests', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ TEST_BASE_URL: server.url, TEST_API_KEY: 'sk-some-long-key' });
  const project = (src: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-budget-'));
    const file = path.join(dir, 'spec.synth');
    writeFileSync(file, src);
    return { dir, file, plan: buildPlan(checkFile(file)).plan };
  };

  it('the adversarial instance: --budget 2 spends at most $2, stops with SYN5027 saying how much, the dataset incomplete', async () => {
    const p = project(SPEC(16));
    const s = await run(p.plan, { projectRoot: p.dir, env: env(), budgetUsd: 2, backoffBaseMs: 1 }).catch((e: Error) => {
      throw e;
    });
    expect(s.budget!.spentUsd).toBeGreaterThan(0.5); // it did spend: the guard is not merely refusing
    expect(s.budget!.spentUsd).toBeLessThanOrEqual(2);
    expect(s.error?.code).toBe('SYN5027');
    expect(s.error?.message).toMatch(/^budget of \$2\.00 reached: \$[01]\.\d\d spent(, \$[\d.]+ held by requests in flight)?, and the next request could cost up to \$\d\.\d+ more; nothing more was sent/);
    const r = s.results[0]!;
    expect(r.status).toBe('incomplete');
    expect(r.counts.written).toBeLessThan(16);
    const m = JSON.parse(readFileSync(path.join(p.dir, 'out', 'd.manifest.json'), 'utf8')) as { cost_usd: number; status: string };
    expect(m.status).toBe('incomplete');
    expect(m.cost_usd).toBeLessThanOrEqual(2);
    expect(runEnding(s).code).toBe(EXIT.error);
    // a larger budget continues: the rows made are kept, the rest made, within the new budget
    const again = await run(p.plan, { projectRoot: p.dir, env: env(), budgetUsd: 30, backoffBaseMs: 1 });
    expect(again.results[0]!.status).toBe('complete');
    expect(readFileSync(path.join(p.dir, 'out', 'd.jsonl'), 'utf8').trim().split('\n')).toHaveLength(16);
  });

  it('seeded budgets and concurrency: the spend never passes the budget', async () => {
    const rng = mulberry32(27);
    for (let k = 0; k < 6; k++) {
      const budget = +(1 + rng() * 6).toFixed(2);
      const conc = 1 + Math.floor(rng() * 32);
      const p = project(SPEC(12).replace('concurrency 16', `concurrency ${conc}`));
      const s = await run(p.plan, { projectRoot: p.dir, env: env(), budgetUsd: budget, backoffBaseMs: 1 });
      expect(s.budget!.spentUsd, `budget ${budget}, concurrency ${conc}`).toBeLessThanOrEqual(budget);
      const r = s.results[0]!;
      // complete within the budget, or stopped by it: never complete above it, never short without SYN5027
      if (r.status !== 'complete') expect(s.error?.code).toBe('SYN5027');
    }
  }, 60_000);

  it('a run that ends above its budget (a request used more than its worst case) is not exit 0', () => {
    const ending = runEnding({ results: [], manifests: [], failedExpectations: false, stopped: undefined, error: undefined, incomplete: [], blocked: [], budget: { limitUsd: 1, spentUsd: 1.25 } });
    expect(ending.code).toBe(EXIT.error);
    expect(ending.lines.join('\n')).toMatch(/error SYN5027: budget of \$1\.00 passed: \$1\.25 spent/);
  });

  it('CLI: --budget 2 on the adversarial spec exits 2 with SYN5027 naming the spend', async () => {
    const p = project(SPEC(16));
    const r = await synthAsync(['run', '--budget', '2', p.file], { cwd: p.dir, env: env() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/SYN5027: budget of \$2\.00 reached: \$[01]\.\d\d spent/);
  }, 60_000);
});
