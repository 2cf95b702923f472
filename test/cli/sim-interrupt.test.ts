// Ctrl-C during a CPU simulation (adv12 #4): the run stops the simulation — its worker threads terminated —
// and exits 130 with nothing written, instead of simulating to the end first. The signal is sent once the run
// says the sim started (its progress line on stderr), never after a timer; the sim is sized to take hours, so a
// run that ignored the signal would hit the test's timeout instead of passing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/examples.js';

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
