// Ctrl-C during a CPU simulation (adv12 #4): the run stops the simulation — its worker threads terminated —
// and exits 130 with nothing written, instead of simulating to the end first. The signal is sent once the run
// says the sim started (its progress line on stderr), never after a timer; the sim is sized to take hours, so a
// run that ignored the signal would hit the test's timeout instead of passing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/examples.js';
import { synth } from '../support/cli.js';
import { needWebGpu } from '../support/webgpu.js';

const SPEC = `sim s {
  worlds 64
  agents 64
  steps 16000000
  state p: vec2f = vec2f(uniform(0.0, 1.0), 2.0)
  rule r { p = p + vec2f(0.001 * sin(p.y), 0.001 * cos(p.x)) }
  observe every 8000000 { p }
}
struct T { world: int  agent: int  px: float }
dataset t: T {
  for r in s.trajectory where r.agent == 0
  row = { world: r.world, agent: r.agent, px: r.p.x }
  output "out/t.jsonl"
}
`;

function runUntilSimStarts(dir: string, workers: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'run', 's.synth', '--backend', 'cpu'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', SYNTH_CPU_WORKERS: workers },
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /sim s: running on cpu/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('Ctrl-C during a CPU simulation', () => {
  for (const workers of ['1', '2']) {
    it(`stops it and exits 130 (SYNTH_CPU_WORKERS=${workers})`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'synth-sigint-'));
      writeFileSync(path.join(dir, 's.synth'), SPEC);
      const r = await runUntilSimStarts(dir, workers);
      expect(r.stderr).toMatch(/sim s: running on cpu/);
      expect(r.stderr).not.toMatch(/sim s: cpu, .* done in/); // the sim did not finish
      expect(r.stderr).toMatch(/stopped \(interrupted\); run the same command again to continue/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(130);
      // nothing of the dataset was made, so nothing was written
      expect(existsSync(path.join(dir, 'out')) ? readdirSync(path.join(dir, 'out')).filter((f) => f.endsWith('.jsonl')) : []).toEqual([]);
    }, 120_000);
  }
});

// Ctrl-C during a WebGPU simulation (#12): in a terminal the signal reaches the whole process group, the GPU
// process too. The run stops the GPU process (killed by the host, which polls the Ctrl-C flag while it waits),
// never reads its death as a driver failure (no SYN6009, no CPU fallback with `auto`), writes nothing of the
// stopped sim's dataset, keeps the dataset made before it, and the next run makes the rest. The signal is sent
// to the group once the progress display shows the sim's steps advancing on the GPU (the GPU process reports
// each chunk of steps), never after a timer; the sim is sized to take hours, so a run that ignored the signal
// would hit the test's timeout.
const GPU_SPEC = (steps: string) => `sim quick {
  worlds 2
  agents 4
  steps 3
  state x: f32 = uniform(0.0, 1.0)
  rule r { x = x + 1.0 }
  observe every 3 { x }
}
dataset q {
  for r in quick.trajectory
  row = { world: r.world, agent: r.agent, x: r.x }
  output "out/q.jsonl"
}
${SPEC.replace('steps 16000000', `steps ${steps}`).replace('every 8000000', `every ${steps}`)}`;

/** process groups started here: a run that ignored the signal is killed when the file ends, not left running for hours */
const groups: number[] = [];
afterAll(() => {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function ctrlCOnceStepping(dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // its own process group, as a shell gives a command: Ctrl-C is a SIGINT to every process of the group
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'run', 's.synth', '--backend', 'auto'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
    });
    groups.push(child.pid!);
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /sim s: .*step [\d,]+\/16,000,000/.test(stderr)) {
        sent = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('Ctrl-C during a WebGPU simulation', () => {
  it('stops the GPU process, writes nothing of the stopped sim, and the next run makes the rest', async (ctx) => {
    await needWebGpu(ctx, 'Ctrl-C during a WebGPU sim');
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-sigint-gpu-'));
    writeFileSync(path.join(dir, 's.synth'), GPU_SPEC('16000000'));
    const r = await ctrlCOnceStepping(dir);
    expect(r.stderr).toMatch(/sim quick: webgpu/); // the sim before it ran on the GPU, so the GPU works here
    expect(r.stderr).toMatch(/sim s: .*step [\d,]+\/16,000,000/);
    expect(r.stderr).not.toMatch(/sim s: \w+, .* done in/); // the sim did not finish
    expect(r.stderr).not.toMatch(/SYN6009|CPU backend instead|note:/); // a Ctrl-C is not a driver failure
    expect(r.stderr).toMatch(/stopped \(interrupted\); run the same command again to continue/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(130);
    expect(readdirSync(path.join(dir, 'out')).filter((f) => f.endsWith('.jsonl'))).toEqual(['q.jsonl']);
    // the next run (the sim made short enough to finish) reuses q and makes t
    writeFileSync(path.join(dir, 's.synth'), GPU_SPEC('16'));
    const next = synth(['run', 's.synth', '--backend', 'webgpu'], { cwd: dir });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/q: 16 rows → .*16 reused/);
    expect(next.stderr).toMatch(/t: 128 rows → /);
    expect(synth(['verify', 'out'], { cwd: dir }).code).toBe(0);
  }, 180_000);
});
