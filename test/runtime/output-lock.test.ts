// One run at a time per output (runtime/dataset/output-lock.ts). The adversarial pass's instance: two runs of
// one spec (or two specs on one output) deleted each other's temp file and left one run's manifest beside the
// other's rows. Now the second run stops with SYN5028 naming the first run's pid before it writes anything, a
// lock left by a killed run is taken over, and contenders for one stale lock never both win.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynthError } from '../../base/diagnostics.js';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { lockOutput, lockPath } from '../../runtime/dataset/output-lock.js';
import { run } from '../../runtime/run/run-plan.js';
import { ROOT } from '../support/examples.js';
import { synth } from '../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { mulberry32 } from '../support/prng.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'synth-olock-'));
/** a pid no process has: one that just exited */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof SynthError) return `${e.code}: ${e.message}`;
    throw e;
  }
};

describe('output lock', () => {
  it('a second taker gets SYN5028 naming the holder’s pid; after release it is free', () => {
    const out = path.join(tmp(), 'out', 'd.jsonl');
    const a = lockOutput(out);
    expect(existsSync(lockPath(out))).toBe(true);
    const msg = codeOf(() => lockOutput(out));
    expect(msg).toMatch(/^SYN5028: another synth run is writing .*d\.jsonl \(pid \d+\)/);
    expect(msg).toContain(`pid ${process.pid}`);
    a.release();
    a.release(); // idempotent
    expect(existsSync(lockPath(out))).toBe(false);
    lockOutput(out).release();
  });

  it('a lock whose pid is dead, or a torn lock file, is taken over; one from another host is not', () => {
    const dir = tmp();
    const out = path.join(dir, 'd.jsonl');
    writeFileSync(lockPath(out), JSON.stringify({ pid: deadPid(), host: hostname(), token: 'old' }));
    const a = lockOutput(out);
    expect(JSON.parse(readFileSync(lockPath(out), 'utf8')).pid).toBe(process.pid);
    a.release();
    writeFileSync(lockPath(out), '{"pid": 12'); // a killed run's torn write
    lockOutput(out).release();
    writeFileSync(lockPath(out), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', token: 'x' }));
    expect(codeOf(() => lockOutput(out))).toMatch(/^SYN5028: .* on host elsewhere\.example\).*delete .*d\.jsonl\.lock/);
    // nothing but the lock is left beside the output (no private or takeover files)
    expect(readdirSync(dir).sort()).toEqual(['d.jsonl.lock']);
  });

  it('releasing never removes a lock another run took over', () => {
    const out = path.join(tmp(), 'd.jsonl');
    const a = lockOutput(out);
    // another process judged us dead and took over
    const b = lockOutput(out, () => false);
    a.release();
    expect(existsSync(lockPath(out))).toBe(true);
    expect(codeOf(() => lockOutput(out))).toMatch(/^SYN5028/);
    b.release();
    expect(existsSync(lockPath(out))).toBe(false);
  });

  it('12 seeded rounds: of 2–6 processes racing for one stale (or absent) lock, exactly one wins', async () => {
    const rng = mulberry32(28);
    const script = `import { lockOutput } from ${JSON.stringify(path.join(ROOT, 'runtime/dataset/output-lock.ts'))};
try { lockOutput(process.argv[1]); process.stdout.write('won\\n'); } catch (e) { process.stdout.write(String(e.code) + '\\n'); }
process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
    for (let round = 0; round < 12; round++) {
      const out = path.join(tmp(), 'd.jsonl');
      const start = rng();
      if (start < 0.4) writeFileSync(lockPath(out), JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead' }));
      else if (start < 0.6) writeFileSync(lockPath(out), 'garbage');
      const n = 2 + Math.floor(rng() * 5);
      const kids: ChildProcess[] = [];
      const answers = await Promise.all(
        Array.from({ length: n }, () => {
          const k = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, out], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
          kids.push(k);
          return new Promise<string>((resolve) => {
            let s = '';
            k.stdout!.on('data', (d: Buffer) => {
              s += d.toString();
              if (s.includes('\n')) resolve(s.trim());
            });
            k.on('close', () => resolve(s.trim() || 'exited'));
          });
        }),
      );
      // each holds what it got until all have answered, so a winner cannot release before a loser tries
      expect(answers.filter((a) => a === 'won'), `round ${round}: ${answers.join(', ')}`).toHaveLength(1);
      expect(answers.filter((a) => a !== 'won').every((a) => a === 'SYN5028')).toBe(true);
      for (const k of kids) k.stdin!.end();
      await Promise.all(kids.map((k) => new Promise((r) => (k.exitCode !== null ? r(0) : k.on('close', r)))));
    }
  }, 120_000);
});

describe('runs of one output', () => {
  const SPEC = `struct R { name: string }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
}
prompt ask(n: int) -> R {
  model m
  user "Thing {n}."
}
dataset d: R {
  count 6
  vary n ~ randint(1, 1000)
  row = ask(n)
  output "out/d.jsonl"
}
`;
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ deterministic: true });
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ TEST_BASE_URL: server.url, TEST_API_KEY: 'sk-some-long-key' });

  it('a run finding the output locked stops with SYN5028 before writing anything; a stale lock is taken over', async () => {
    const dir = tmp();
    const file = path.join(dir, 'spec.synth');
    writeFileSync(file, SPEC);
    const plan = buildPlan(checkFile(file)).plan;
    const out = path.join(dir, 'out', 'd.jsonl');
    const held = lockOutput(out);
    await expect(run(plan, { projectRoot: dir, env: env() })).rejects.toThrow(/another synth run is writing .*d\.jsonl \(pid \d+\)/);
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['d.jsonl.lock']);
    expect(existsSync(path.join(dir, '.synth', 'journal'))).toBe(false);
    held.release();
    writeFileSync(lockPath(out), JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead' }));
    const s = await run(plan, { projectRoot: dir, env: env() });
    expect(s.results[0]!.status).toBe('complete');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(6);
    expect(existsSync(lockPath(out))).toBe(false);
  });

  it('CLI: a second `synth run` of the spec while the first waits on the model exits non-zero naming the first’s pid; the first ends complete and verified', async () => {
    const dir = tmp();
    const file = path.join(dir, 'spec.synth');
    writeFileSync(file, SPEC);
    let second: ReturnType<typeof synth> | undefined;
    const firstPid: number[] = [];
    // kill point by what the first run has done: at its first request (the server answers nothing meanwhile)
    server.onRequest = (r) => {
      if (second || !r.path.includes('chat')) return;
      second = synth(['run', file], { cwd: dir, env: env() });
    };
    const first = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const k = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'run', file], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env() } });
      firstPid.push(k.pid!);
      let stderr = '';
      k.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      k.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });
    server.onRequest = undefined;
    expect(second, 'the first run sent no request').toBeDefined();
    expect(second!.code).not.toBe(0);
    expect(second!.stderr).toContain('SYN5028');
    expect(second!.stderr).toContain(`(pid ${firstPid[0]})`);
    expect(second!.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
    expect(first.code, first.stderr).toBe(0);
    const verify = synth(['verify', path.join(dir, 'out')], { cwd: dir });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'out')).sort()).toEqual(['d.jsonl', 'd.manifest.json']);
  }, 120_000);
});
