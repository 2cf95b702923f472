// What a finished run leaves beside a Parquet output: the output and its manifest, nothing else — no JSONL
// staging file (27 MB beside a 2.6 MB Parquet before, issue #17), no temp file — also after `synth merge`, and
// also when the run before it was killed with kill -9 half-way (its temp files are cleaned up by the next run).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthAsync } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { startFakeOpenAI } from '../support/fake-openai.js';

const KEY = 'sk-test-LEFTOVERS-0b5e55ed';

const LLM_SPEC = (count: number) => `goal "leftovers" { seed 5 }
model m {
  name "gpt-test"
  base_url env("OPENAI_BASE_URL")
  api_key env("OPENAI_API_KEY")
  concurrency 2
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
  output "out/d.parquet"
}
`;

const SAMPLER_SPEC = `goal "leftovers" { seed 6 }
struct R { i: int  x: float }
dataset d: R {
  count 5000
  vary i ~ randint(0, 1000000)
  vary x ~ normal(0.0, 1.0)
  row = { i: i, x: x }
  output "out/d.parquet"
}
`;

function project(spec: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-leftovers-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, spec);
  return { dir, file };
}

describe('a Parquet output leaves nothing beside it', () => {
  it('after a run killed with kill -9 part-way and a rerun: only the output and its manifest', async () => {
    const N = 40;
    const { dir, file } = project(LLM_SPEC(N));
    let victim: { child: ReturnType<typeof spawn>; seen: number } | undefined;
    // the kill point is the 15th request the server receives (the run is mid-way), never a timer
    const server = await startFakeOpenAI({
      deterministic: true,
      apiKey: KEY,
      latencyMs: 5,
      onRequest: () => {
        if (victim && ++victim.seen === 15) victim.child.kill('SIGKILL');
      },
    });
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY };
    try {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'run', file], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: 'ignore' });
      victim = { child, seen: 0 };
      const signal = await new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
      victim = undefined;
      expect(signal).toBe('SIGKILL');
      // the killed run left its temp file (rows so far), its lock (a dead pid: the next run takes it over) and no output
      expect(readdirSync(path.join(dir, 'out')).sort()).toEqual(['d.parquet.lock', 'd.parquet.tmp']);
      const fin = await synthAsync(['run', file], { env });
      expect(fin.code, fin.stderr).toBe(0);
      expect(readdirSync(path.join(dir, 'out')).sort()).toEqual(['d.manifest.json', 'd.parquet']);
    } finally {
      await server.close();
    }
  }, 180_000);

  it('after shards and synth merge: only the merged output and its manifest', async () => {
    const { dir, file } = project(SAMPLER_SPEC);
    for (const s of ['0/2', '1/2']) {
      const r = await synthAsync(['run', file, '--shard', s, '--out', path.join(dir, `s${s[0]}`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const whole = await synthAsync(['run', file]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'out')).sort()).toEqual(['d.manifest.json', 'd.parquet']);
    const m = await synthAsync(['merge', path.join(dir, 's0'), path.join(dir, 's1'), '-o', path.join(dir, 'merged')]);
    expect(m.code, m.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'merged')).sort()).toEqual(['d.manifest.json', 'd.parquet']);
  }, 180_000);
});
