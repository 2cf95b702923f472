// Ctrl-C stops a run whatever makes its rows. Rows without prompt calls are made synchronously (no promise per
// row), so the run must still give the event loop a turn now and then, or the SIGINT handler waits until the
// whole dataset is written (found by the adversarial pass on #17: a 3,000,000-row dataset ignored two Ctrl-Cs).
// The signal is sent once the run has shown progress (a row written), never after a timer.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/examples.js';
import { project } from '../support/synth.js';

const SPEC = `struct R { a: int  b: float }
dataset d: R {
  count 20_000_000
  vary a ~ randint(1, 1000000)
  vary b ~ normal(0.0, 1.0)
  row = { a: a, b: b }
  output "out/d.jsonl"
}
`;

/** Runs `synth run` and sends SIGINT when stderr first shows the dataset's progress; resolves with the exit. */
function runAndInterrupt(file: string, cwd: string): Promise<{ code: number | null; stderr: string; signalled: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'run', file], { cwd, env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!signalled && /\bd\b.*\d+ ?\/ ?[\d,_ ]+/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    // a run that ignores the signal would take minutes: the test's own timeout fails it
    child.on('close', (code) => resolve({ code, stderr, signalled }));
  });
}

describe('Ctrl-C', () => {
  it('stops a dataset made without prompt calls: exit 130, rows kept, the dataset not complete', async () => {
    const { dir, file } = project(SPEC, { prefix: 'synth-sigint-' });
    const r = await runAndInterrupt(file, dir);
    expect(r.signalled, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopping/);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'out', 'd.manifest.json'), 'utf8')) as { status: string; stopped: string; counts: { rows: number } };
    expect(manifest.status).toBe('incomplete');
    expect(manifest.stopped).toBe('interrupted');
    const rows = manifest.counts.rows;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(20_000_000);
    expect(existsSync(path.join(dir, 'out', 'd.jsonl'))).toBe(true);
    const lines = readFileSync(path.join(dir, 'out', 'd.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBe(rows);
  }, 120_000);
});
