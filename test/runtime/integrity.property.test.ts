// The integrity promise as a property: under any schedule of faults — kill -9 at a point chosen by progress
// (requests answered), journal lines deleted, duplicated, edited or cut short, the output truncated, overwritten
// or deleted, the disk filling up (an injected ENOSPC at a random byte, and a real tiny tmpfs where this runs as
// root) — every run either ends as a successful run would (exit 0) with outputs byte-identical to one
// uninterrupted run, or ends non-zero with a coded error; and once the faults stop, the next run ends with
// exactly those bytes. Never exit 0 with fewer, more or different rows.
//
// 220 seeded schedules (+ 4 on a real tmpfs). Most run in this process against one test server (fast); the kill -9 schedules
// spawn the CLI and kill it from the server's request hook, at an exact count of requests.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynthError } from '../../base/diagnostics.js';
import { runEnding } from '../../cli/summary.js';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { Plan } from '../../compiler/plan/schema.js';
import type { WriteFaults } from '../../runtime/dataset/file-io.js';
import { run } from '../../runtime/run/run-plan.js';
import { budgetGuard, promptRunnerFactory } from '../../runtime/wiring.js';
import { synthAsync } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';
import { journalFiles } from '../support/journal.js';
import { mulberry32, type Rng } from '../support/prng.js';

const SPEC = `goal "integrity" { seed 8 }
struct Q { title: string  score: int @range(1..9) }
struct P { name: string  age: int }
model m {
  name "gpt-test"
  base_url env("TEST_BASE_URL")
  api_key env("TEST_API_KEY")
  concurrency 3
  retries 6
  max_consecutive_failures 100
}
prompt ask(n: int) -> Q {
  model m
  user "Question {n}."
}
dataset qs {
  count 10
  vary n ~ randint(1, 1_000_000)
  row = ask(n)
  keep n
  output "out/qs.jsonl"
}
dataset people: P {
  count 25
  vary first ~ one_of("ann", "bob", "cy", "dee", "eve", "fay")
  vary age ~ randint(18, 40)
  row = { name: first + " " + str(age), age: age }
  check age < 38
  unique row.name
  output "out/people.csv"
}
`;
const OUTPUTS = ['qs.jsonl', 'people.csv'];

describe('integrity under faults (property)', () => {
  let server: FakeOpenAI;
  let onRequest: ((count: number) => void) | undefined;
  let plan: Plan;
  let reference: Record<string, string>;
  const env = () => ({ TEST_BASE_URL: server.url, TEST_API_KEY: 'none' });

  beforeAll(async () => {
    // transport faults only: a retry sends the same body, so a deterministic answer is the same answer
    server = await startFakeOpenAI({ deterministic: true, retryAfterMs: 1, faults: { rate: 0.15, kinds: ['429', '500', 'disconnect'] }, record: false, onRequest: (r) => onRequest?.(r.n) });
    const ref = fresh();
    plan = buildPlan(checkFile(ref.file)).plan;
    const end = await runInProcess(ref.dir);
    expect(end.code).toBe(0);
    reference = outputsOf(ref.dir);
    expect(reference['qs.jsonl']!.split('\n')).toHaveLength(11);
    expect(reference['people.csv']!.split('\n').length).toBeGreaterThan(10);
  });
  afterAll(async () => {
    await server.close();
  });

  function fresh(): { dir: string; file: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-prop-'));
    const file = path.join(dir, 'spec.synth');
    writeFileSync(file, SPEC);
    return { dir, file };
  }

  /** One run in this process, as `synth run` would end it: its exit code, or the coded error it stopped with. */
  async function runInProcess(dir: string, faults?: WriteFaults): Promise<{ code: number; error?: SynthError }> {
    const wiring = promptRunnerFactory(plan, dir, budgetGuard(undefined), { env: env(), backoffBaseMs: 1 });
    try {
      const s = await run(plan, { projectRoot: dir, prompts: wiring, ...(faults ? { faults } : {}) });
      return { code: runEnding(s).code };
    } catch (e) {
      if (e instanceof SynthError) return { code: 2, error: e };
      throw e; // anything else is a bug: the property fails
    } finally {
      await wiring.close();
    }
  }

  function outputsOf(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of OUTPUTS) {
      const p = path.join(dir, 'out', f);
      out[f] = existsSync(p) ? readFileSync(p, 'utf8') : '<missing>';
    }
    return out;
  }

  /** The property for one run's end: exit 0 means exactly the reference bytes; non-zero comes with a code. */
  function checkEnd(dir: string, end: { code: number; error?: SynthError; stderr?: string }, what: string): void {
    if (end.code === 0) {
      expect(outputsOf(dir), `${what}: exit 0 must mean the reference rows`).toEqual(reference);
    } else {
      const coded = end.error ? /^SYN\d{4}$/.test(end.error.code) : /error SYN\d{4}/.test(end.stderr ?? '');
      expect(coded, `${what}: exit ${end.code} without a coded error: ${end.error?.message ?? end.stderr}`).toBe(true);
      expect(end.stderr ?? '', what).not.toMatch(/internal error|\n\s+at /);
    }
  }

  /** Damages the journal or the output as a user, a crash or a disk might. */
  function tamper(dir: string, rng: Rng): string {
    const journals = journalFiles(dir);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const kind = pick(['delete-line', 'duplicate-line', 'truncate-journal', 'edit-line', 'truncate-output', 'overwrite-output', 'delete-output', 'delete-journal']);
    if (kind.endsWith('journal') || kind.endsWith('line')) {
      if (!journals.length) return 'nothing to tamper';
      const j = pick(journals);
      const text = readFileSync(j, 'utf8');
      const lines = text.split('\n');
      const at = 1 + Math.floor(rng() * Math.max(1, lines.length - 2));
      if (kind === 'delete-line') lines.splice(at, 1);
      else if (kind === 'duplicate-line') lines.splice(1 + Math.floor(rng() * (lines.length - 1)), 0, lines[at] ?? '');
      else if (kind === 'edit-line') lines[at] = (lines[at] ?? '').replace(/\d/, (d) => String((Number(d) + 1) % 10));
      if (kind === 'truncate-journal') truncateSync(j, Math.floor(rng() * Buffer.byteLength(text)));
      else if (kind === 'delete-journal') rmSync(j);
      else writeFileSync(j, lines.join('\n'));
      return `${kind} ${path.basename(j)}:${at}`;
    }
    const f = path.join(dir, 'out', pick(OUTPUTS));
    if (!existsSync(f)) return 'nothing to tamper';
    const size = statSync(f).size;
    if (kind === 'truncate-output') truncateSync(f, Math.floor(rng() * size));
    else if (kind === 'overwrite-output') writeFileSync(f, Buffer.from(Array.from({ length: size }, () => 32 + Math.floor(rng() * 90))));
    else rmSync(f);
    return `${kind} ${path.basename(f)}`;
  }

  /** A disk that fills up after `budget` more bytes (of the journal, outputs, manifests). */
  function fullDiskAfter(budget: number): WriteFaults {
    let left = budget;
    return {
      allow: (_file, bytes) => {
        if (left >= bytes) {
          left -= bytes;
          return undefined;
        }
        const n = Math.max(0, left);
        left = 0;
        return n;
      },
    };
  }

  it('200 in-process schedules: tampering and full disks between runs', async () => {
    const schedules = 200;
    const seen = new Map<string, number>();
    let diskFullErrors = 0;
    for (let s = 0; s < schedules; s++) {
      const rng = mulberry32(0x5eed + s);
      const { dir } = fresh();
      const steps = 1 + Math.floor(rng() * 3);
      const log: string[] = [];
      for (let k = 0; k < steps; k++) {
        const diskFull = rng() < 0.45;
        const faults = diskFull ? fullDiskAfter(Math.floor(rng() * 9000)) : undefined;
        const end = await runInProcess(dir, faults);
        log.push(`run${diskFull ? ' (disk full)' : ''} → ${end.code}${end.error ? ' ' + end.error.code : ''}`);
        if (end.error) {
          diskFullErrors++;
          expect(end.error.code, `schedule ${s}: ${log.join('; ')}: ${end.error.message}`).toBe('SYN5023');
          expect(end.error.message).toMatch(/cannot write .*no space left on the device \(ENOSPC\)/);
        }
        checkEnd(dir, end, `schedule ${s}: ${log.join('; ')}`);
        const t = tamper(dir, rng);
        log.push(t);
        seen.set(t.split(' ')[0]!, (seen.get(t.split(' ')[0]!) ?? 0) + 1);
      }
      // the faults stop: the next run ends with exactly the reference bytes
      const last = await runInProcess(dir);
      log.push(`final → ${last.code}`);
      expect(last.code, `schedule ${s}: ${log.join('; ')}`).toBe(0);
      expect(outputsOf(dir), `schedule ${s}: ${log.join('; ')}`).toEqual(reference);
      rmSync(dir, { recursive: true, force: true });
    }
    // the disk really filled up in many runs, and every kind of damage was played
    expect(diskFullErrors).toBeGreaterThan(30);
    for (const kind of ['delete-line', 'duplicate-line', 'truncate-journal', 'edit-line', 'truncate-output', 'overwrite-output', 'delete-output', 'delete-journal']) {
      expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(3);
    }
  }, 600_000);

  it('20 kill -9 schedules: the CLI killed after an exact number of answered requests, then tampered and rerun', async () => {
    let killed = 0;
    for (let s = 0; s < 20; s++) {
      const rng = mulberry32(0xdead + s);
      const { dir, file } = fresh();
      const log: string[] = [];
      for (let kill = 0; kill < 1 + Math.floor(rng() * 2); kill++) {
        const after = 1 + Math.floor(rng() * 12);
        const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'run', file], { cwd: dir, env: { ...process.env, ...env(), NO_COLOR: '1' }, stdio: 'ignore' });
        let seenRequests = 0;
        onRequest = () => {
          if (++seenRequests === after) child.kill('SIGKILL');
        };
        const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
        onRequest = undefined;
        log.push(`kill after ${after} requests → ${code ?? 'SIGKILL'}`);
        if (code === null) killed++;
        if (code !== null) checkEnd(dir, { code, stderr: '' }, `kill schedule ${s}: ${log.join('; ')}`);
        if (rng() < 0.5) log.push(tamper(dir, rng));
      }
      const last = await runInProcess(dir);
      expect(last.code, `kill schedule ${s}: ${log.join('; ')}`).toBe(0);
      expect(outputsOf(dir), `kill schedule ${s}: ${log.join('; ')}`).toEqual(reference);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(killed).toBeGreaterThan(15); // the kills landed mid-run (a run that had ended is no kill)
  }, 600_000);

  it('a real full disk (a tiny tmpfs): exit 2 with SYN5023 naming the file, then the same bytes once there is room', async (ctx) => {
    const mnt = mkdtempSync(path.join(tmpdir(), 'synth-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      rmSync(mnt, { recursive: true, force: true });
      ctx.skip('mounting a tmpfs needs root (CAP_SYS_ADMIN); the injected ENOSPC schedules above cover the same code');
      return;
    }
    const codes: number[] = [];
    try {
      for (const size of ['12k', '24k', '40k', '64k']) {
        execFileSync('mount', ['-o', `remount,size=${size}`, mnt]);
        const dir = path.join(mnt, `p${size}`);
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'spec.synth'), SPEC);
        const r = await synthAsync(['run', path.join(dir, 'spec.synth')], { cwd: dir, env: env() });
        checkEnd(dir, { code: r.code, stderr: r.stderr }, `tmpfs ${size}`);
        codes.push(r.code);
        if (r.code !== 0) {
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toMatch(/error SYN5023: cannot write \S+: no space left on the device \(ENOSPC\)/);
        }
        execFileSync('mount', ['-o', 'remount,size=8m', mnt]);
        const again = await synthAsync(['run', path.join(dir, 'spec.synth')], { cwd: dir, env: env() });
        expect(again.code, again.stderr).toBe(0);
        expect(outputsOf(dir)).toEqual(reference);
        rmSync(dir, { recursive: true, force: true });
      }
      expect(codes).toContain(2); // the disk did fill up
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  }, 300_000);

});
