// Scale-out on a real scheduler: a one-node Slurm cluster (Debian's slurm-wlm + munge, started by
// scripts/slurm/local-cluster.sh) runs `synth run --shard $SLURM_ARRAY_TASK_ID/4` as a job array with the sbatch
// script docs/scale-out.md shows, then `synth merge`; the merged outputs must be byte-identical to one unsharded run.
// Opt-in locally (SYNTH_SLURM=1); on in CI, where SYNTH_REQUIRE_SLURM=1 turns a missing Slurm into a failure.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/examples.js';

const REQUIRED = process.env['SYNTH_REQUIRE_SLURM'] === '1';
const WANTED = REQUIRED || process.env['SYNTH_SLURM'] === '1';
const CLUSTER = path.join(ROOT, 'scripts', 'slurm', 'local-cluster.sh');
const SBATCH = path.join(ROOT, 'scripts', 'slurm', 'synth-shards.sbatch');

function hasSlurm(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v slurmctld && command -v slurmd && command -v munged && command -v sbatch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const why = !WANTED ? 'opt-in: set SYNTH_SLURM=1 (CI sets SYNTH_REQUIRE_SLURM=1)' : !REQUIRED && !hasSlurm() ? 'slurm-wlm and munge are not installed' : undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// A `count` dataset with checks and dedup (shards need their margin, merge re-applies dedup across shards), and a
// dataset over a simulation's trajectory (shards split the worlds).
const SPEC = `goal "slurm shards" { seed 7  split { train: 0.8, test: 0.2 } }
enum Kind { a, b, c }
struct Thing { kind: Kind  n: int  label: string  x: float }
dataset things: Thing {
  count 400
  vary kind ~ uniform(Kind)
  vary n ~ randint(1, 1000)
  vary x ~ normal(0.0, 1.0)
  row = { kind: kind, n: n, label: str(kind) + "-" + str(n), x: x }
  check x > -1.5
  unique row.label
  output "out/things.jsonl"
}
sim walk {
  worlds 16
  agents 8
  steps 40
  state x: f32 = uniform(0.0, 10.0)
  state v: f32 = normal(0.0, 1.0)
  rule move { x = x + v * 0.1 }
  observe every 10 { x, v }
}
struct Obs { world: int  agent: int  step: int  x: float  v: float }
dataset walks: Obs {
  for r in walk.trajectory
  row = { world: r.world, agent: r.agent, step: r.step, x: r.x, v: r.v }
  output "out/walks.csv"
}
`;

describe.skipIf(why !== undefined)(`Slurm job array → synth merge${why ? ` (skipped: ${why})` : ''}`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'synth-slurm-'));
  const clusterDir = path.join(work, 'cluster');
  const env: NodeJS.ProcessEnv = { ...process.env };

  beforeAll(async () => {
    const started = execFileSync(CLUSTER, ['start', clusterDir, String(await freePort()), String(await freePort())], { encoding: 'utf8', timeout: 120_000 });
    env['SLURM_CONF'] = /export SLURM_CONF=(\S+)/.exec(started)![1];
    // `synth` on PATH for the batch script, as an installed CLI would be.
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'synth'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'dist', 'cli', 'main.js')}" "$@"\n`);
    chmodSync(path.join(bin, 'synth'), 0o755);
    env['PATH'] = `${bin}:${process.env['PATH']}`;
  }, 180_000);

  afterAll(() => {
    execFileSync(CLUSTER, ['stop', clusterDir], { stdio: 'ignore' });
  });

  it('docs/scale-out.md shows the sbatch script this test submits, verbatim', () => {
    expect(readFileSync(path.join(ROOT, 'docs', 'scale-out.md'), 'utf8')).toContain(readFileSync(SBATCH, 'utf8').trim());
  });

  it('4 array tasks of `synth run --shard i/4`, merged, are byte-identical to one unsharded run', () => {
    const spec = path.join(work, 'project');
    mkdirSync(spec);
    writeFileSync(path.join(spec, 'spec.synth'), SPEC);
    const run = (args: string[]) => execFileSync('synth', args, { cwd: spec, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    run(['run', 'spec.synth', '--out', 'whole']);
    // The documented submission: the script reads SPEC and OUT from the environment sbatch passes on.
    execFileSync('sbatch', ['--wait', '--array=0-3', SBATCH], { cwd: spec, env: { ...env, SPEC: 'spec.synth', OUT: 'shards' }, encoding: 'utf8', timeout: 600_000 });
    const shardDirs = readdirSync(path.join(spec, 'shards')).sort();
    expect(shardDirs).toEqual(['0', '1', '2', '3']);
    // each task really ran under Slurm: its log names the shard it made
    const logs = readdirSync(spec).filter((f) => /^slurm-\d+_\d\.log$/.test(f));
    expect(logs).toHaveLength(4);
    run(['merge', ...shardDirs.map((d) => path.join('shards', d)), '--out', 'merged']);
    for (const f of ['things.jsonl', 'walks.csv']) {
      const whole = readFileSync(path.join(spec, 'whole', f), 'utf8');
      expect(existsSync(path.join(spec, 'merged', f)), f).toBe(true);
      expect(whole.split('\n').length).toBeGreaterThan(300);
      expect(readFileSync(path.join(spec, 'merged', f), 'utf8')).toBe(whole);
    }
  }, 900_000);
});
