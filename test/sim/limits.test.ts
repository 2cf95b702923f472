// Sizes that cannot run are refused before anything is allocated (SYN6005, naming the sim and the figures;
// `--max-memory` overrides); `synth check` and `synth build` say what each sim needs; non-finite observed or
// emitted values stop a run (SYN6006) unless the sim allows them; the manifest records where each sim ran;
// and `synth merge` refuses shards of a sim that is not bit-identical across backends made on two backends.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutOf } from '../../compiler/sim/layout.js';
import { formatBytes, parseBytes, simMemory } from '../../compiler/sim/memory.js';
import { parseSynth } from '../../grammar/parse.js';
import type * as A from '../../grammar/ast.js';
import { synth } from '../support/cli.js';
import { compileSim, difference, runOnCpu, runOnGpu } from '../support/sim-diff.js';
import { needWebGpu } from '../support/webgpu.js';

function spec(src: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-limits-'));
  const file = path.join(dir, 's.synth');
  writeFileSync(file, src);
  return { dir, file };
}

const HUGE = `sim big {
  worlds 67_108_864
  agents 65_536
  steps 10
  state x: f32 = uniform(0.0, 1.0)
  rule r { x = x + 1.0 }
  observe every 1 { x }
}
dataset d {
  for r in big.trajectory
  row = { x: r.x }
  output "out/d.jsonl"
}
`;

describe('memory estimates', () => {
  it('count state and its snapshot, observations and event capacity', () => {
    const sim = parseSynth('sim s { worlds 10 agents 4 steps 9 max_events 100 state x: f32 state p: vec2f state b: bool\n event e { v: f32, k: u32 }\n observe every 3 { x, p } }', 's.synth').file.decls[0] as A.SimDecl;
    const m = simMemory(layoutOf(sim, 0));
    const part = (n: string) => m.parts.find((p) => p.name === n)!.bytes;
    expect(part('state')).toBe(40 * (4 + 8 + 1) * 2);
    expect(part('observations')).toBe(40 * 4 * 12); // steps 0, 3, 6, 9: 4 observations of x and p
    expect(part('events')).toBe(100 * (16 + 8));
    expect(m.total).toBe(part('state') + part('observations') + part('events'));
    // the GPU stores bools in 4 bytes and holds observations twice for a moment
    expect(simMemory(layoutOf(sim, 0), { backend: 'webgpu' }).parts.find((p) => p.name === 'observations')!.bytes).toBe(2 * 40 * 4 * 12);
  });

  it('parses and prints sizes', () => {
    expect(parseBytes('8GiB')).toBe(8 * 2 ** 30);
    expect(parseBytes('512 MB')).toBe(512e6);
    expect(parseBytes('1.5g')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('unlimited')).toBe(Infinity);
    expect(parseBytes('lots')).toBeUndefined();
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 2 ** 40)).toBe('5.00 TiB');
  });
});

describe('a sim too large for the machine', () => {
  it('is refused by `synth run` with SYN6005 before it allocates, naming the sim and the figures', () => {
    const { file } = spec(HUGE);
    const r = synth(['run', file, '--backend', 'cpu']);
    expect(r.code).toBe(2);
    const size = '[\\d.]+ [KMGTP]iB';
    expect(r.stderr).toMatch(new RegExp(`SYN6005.*simulation big needs about ${size} of memory \\(state ${size}, observations ${size}, trajectory rows ${size}\\), more than this machine's ${size}`));
    expect(r.stderr).toMatch(/--max-memory/);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error|allocation failed/i);
  });

  it('and `synth check` says what it needs', () => {
    const { file } = spec(HUGE);
    const r = synth(['check', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/sim big: about [\d.]+ TiB to run \(state 32.0 TiB, observations 176 TiB\)/);
  });

  it('--max-memory sets the limit, `unlimited` lifts it, and a bad size is an error', () => {
    const { file } = spec('sim s { worlds 4 agents 4 steps 3 state x: f32 = 1.0 rule r { x = x * 2.0 } observe every 1 { x } }\ndataset d { for r in s.trajectory row = { x: r.x } output "out/d.jsonl" }\n');
    const small = synth(['run', file, '--backend', 'cpu', '--max-memory', '100B']);
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/SYN6005.*simulation s needs about [\d.]+ KiB.*more than the --max-memory limit of 100 B/);
    const ok = synth(['run', file, '--backend', 'cpu', '--max-memory', 'unlimited']);
    expect(ok.stderr).toContain('d: 64 rows');
    expect(ok.code).toBe(0);
    const bad = synth(['run', file, '--max-memory', 'plenty']);
    expect(bad.code).toBe(1); // a malformed flag, like --limit's: the option parser's exit code
    expect(bad.stderr).toMatch(/error SYN4101: --max-memory takes a size above 0 such as 512MiB, 8GiB or unlimited, not 'plenty'/);
  });
});

describe('the memory a run holds', () => {
  // 32 worlds × 64 agents × 101 observations of two vec4f fields, all read as trajectory rows (the adversarial
  // report's mem.synth, smaller): rows with nested vector objects are most of what the run holds
  const SIM = (name: string) => `sim ${name} {
  worlds 32
  agents 64
  steps 100
  state p: vec4f = vec4f(uniform(0.0, 1.0), 1.5, 2.5, 3.5)
  state q: vec4f = vec4f(0.25, 1.5, 2.5, 3.5)
  rule r { p = p + q }
  observe every 1 { p, q }
}
dataset d_${name} {
  for r in ${name}.trajectory where r.step == 100
  row = { x: r.p.x }
  output "out/d_${name}.jsonl"
}
`;
  const TINY = SIM('s').replace('worlds 32', 'worlds 1').replace('agents 64', 'agents 1').replace('steps 100', 'steps 1').replace('r.step == 100', 'r.step == 1');
  const MiB = 2 ** 20;
  const bytes = (s: string) => Number(s.split(' ')[0]) * { B: 1, KiB: 2 ** 10, MiB, GiB: 2 ** 30 }[s.split(' ')[1]!]!;
  /** the run's peak resident memory, measured by the kernel (test/support/peak-rss.cjs) */
  const peakRss = (file: string, dir: string): number => {
    const out = path.join(dir, 'peak');
    const r = synth(['run', file, '--backend', 'cpu', '-o', path.join(dir, 'o'), '--max-memory', 'unlimited'], { env: { PEAK_RSS_FILE: out, NODE_OPTIONS: `--require ${path.resolve('test/support/peak-rss.cjs')}` } });
    expect(r.code, r.stderr).toBe(0);
    return Number(readFileSync(out, 'utf8'));
  };

  it('is estimated at or above what a real run holds, and within 2× of it', () => {
    const big = spec(SIM('s'));
    const tiny = spec(TINY);
    // the estimate, as the refusal states it
    const refused = synth(['run', big.file, '--backend', 'cpu', '-o', path.join(big.dir, 'x'), '--max-memory', '1B']);
    const m = /simulation s needs about ([\d.]+ [KMG]?i?B) of memory/.exec(refused.stderr);
    expect(m, refused.stderr).not.toBeNull();
    const estimate = bytes(m![1]!);
    // what the sim and its rows really took: the run's peak beyond a run of a 1-agent sim (Node, Synth, workers)
    const held = peakRss(big.file, big.dir) - peakRss(tiny.file, tiny.dir);
    // V8 measured about 70 MiB here and the estimate is 92 MiB (rows rounded up, nothing freed early): an
    // underestimate is the failure that matters (the report's 2.3× under led to OOM kills); 2× over is generous
    expect(held).toBeGreaterThan(20 * MiB);
    expect(estimate).toBeGreaterThanOrEqual(held);
    expect(estimate).toBeLessThanOrEqual(2 * held);
  });

  it('is checked for the run as a whole: sims that each fit but not together are refused with SYN6010 before any runs', () => {
    const { dir, file } = spec(SIM('a') + SIM('b') + SIM('c'));
    const r = synth(['run', file, '--backend', 'cpu', '-o', path.join(dir, 'o'), '--max-memory', '200MiB']);
    expect(r.code).toBe(2);
    const size = '[\\d.]+ [KMG]iB';
    expect(r.stderr).toMatch(new RegExp(`SYN6010.*this run needs about ${size} of memory at once \\(simulation a ${size}: state ${size}, observations ${size}, trajectory rows ${size}; simulation b ${size}: .*; simulation c ${size}: .*; output buffers ${size}\\), more than the --max-memory limit of 200 MiB`));
    expect(r.stderr).not.toMatch(/running on cpu/); // refused before any sim started
    // nothing written (the CLI may have made the empty output folder when it checked that it can write there)
    expect(readdirSync(dir).includes('o') ? readdirSync(path.join(dir, 'o')) : []).toEqual([]);
    // each alone fits
    const one = synth(['run', file, '--backend', 'cpu', '-o', path.join(dir, 'o'), '--max-memory', '200MiB', '--dataset', 'd_b']);
    expect(one.code, one.stderr).toBe(0);
  });

  it('counts the rows of every dataset the run makes: --dataset X also makes the datasets X reads (adversarial pass)', () => {
    // `summary` reads `hits`, which reads the sim's events: `--dataset summary` makes both, so its estimate holds
    // the event rows, as `--dataset hits` does
    const { dir, file } = spec(`sim s {
  worlds 40
  agents 10
  steps 10
  state x: f32 = uniform(0.0, 1.0)
  max_events 4_000
  rule r {
    x = x + 1.0
    emit hit { v: x }
  }
  event hit { v: f32 }
}
struct H { v: float }
dataset hits: H {
  for e in s.hit
  row = { v: e.v }
  output "out/hits.jsonl"
}
dataset summary {
  for h in hits
  row = { v: h.v * 2.0 }
  output "out/summary.jsonl"
}
`);
    const memory = (ds: string) => {
      const r = synth(['run', file, '--dry-run', '--format', 'json', '--backend', 'cpu', '--dataset', ds], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { memory: { bytes: number; sims: { parts: Record<string, number> }[] } }).memory;
    };
    const hits = memory('hits');
    const summary = memory('summary');
    expect(hits.sims[0]!.parts['hit rows']).toBeGreaterThan(0);
    expect(summary.bytes).toBe(hits.bytes);
  });

  it('is shown by --dry-run (text and JSON) with the figure the run is held to, and a run that cannot fit is refused there too', () => {
    const { dir, file } = spec(SIM('a') + SIM('b'));
    const size = '[\\d.]+ [KMG]iB';
    const text = synth(['run', file, '--dry-run', '--backend', 'cpu', '--max-memory', '1GiB'], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Memory: about ${size} at once \\(simulation a ${size}: state ${size}, observations ${size}, trajectory rows ${size}; simulation b ${size}: .*; output buffers ${size}\\), of the --max-memory limit of 1.00 GiB\\.`));
    // the same figure the run's guard uses: the dry run's total is what SYN6010 names
    const json = JSON.parse(synth(['run', file, '--dry-run', '--format', 'json', '--backend', 'cpu'], { cwd: dir }).stdout) as { memory: { bytes: number; sims: { name: string; bytes: number }[]; buffers_bytes: number; limited_by: string } };
    expect(json.memory.sims.map((s) => s.name)).toEqual(['a', 'b']);
    expect(json.memory.bytes).toBe(json.memory.sims[0]!.bytes + json.memory.sims[1]!.bytes + json.memory.buffers_bytes);
    expect(json.memory.limited_by).toBe('machine');
    const refused = synth(['run', file, '--backend', 'cpu', '-o', path.join(dir, 'o'), '--max-memory', `${Math.floor(json.memory.bytes / 2)}B`]);
    expect(refused.stderr).toMatch(/SYN6010/);
    // a dry run that would not fit is refused before its simulations run to count items
    const dry = synth(['run', file, '--dry-run', '--backend', 'cpu', '--max-memory', `${Math.floor(json.memory.bytes / 2)}B`], { cwd: dir });
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/SYN6010/);
    // a spec without simulations says nothing about memory
    const plain = spec('dataset p {\n  count 3\n  row = { n: 1 }\n  output "out/p.jsonl"\n}\n');
    const none = synth(['run', plain.file, '--dry-run', '--format', 'json'], { cwd: plain.dir });
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).not.toHaveProperty('memory');
  });
});

describe('non-finite observed or emitted values', () => {
  const SRC = (allow: string) => `sim s {
  worlds 2
  agents 3
  steps 4
  ${allow}
  state x: f32 = f32(agent)
  rule r {
    x = x - 1.0
    if step == 2 { emit e { v: log(x), k: agent } }
  }
  event e { v: f32, k: u32 }
  observe every 2 { x }
}`;

  it('stop the run with SYN6006 naming the value, world, agent and step — the same on both backends', async (ctx) => {
    const c = compileSim(SRC(''));
    if (!c.ok) throw new Error(c.errors.join('\n'));
    const cpu = await runOnCpu(c.stage);
    // at step 2 every agent's x is negative (agent − 3): log is NaN; the earliest (step, world, agent) is named
    expect(cpu.ok ? '' : `${cpu.code} ${cpu.message}`).toBe("SYN6006 simulation s: field v of event 'e' is NaN in world 0, agent 0 at step 2 (observed and emitted values must be finite; `finite_outputs 0` in the sim lets them through)");
    await needWebGpu(ctx, 'non-finite outputs on WebGPU');
    expect(difference(c.stage, cpu, await runOnGpu(c.stage))).toBeNull();
  });

  it('are kept with `finite_outputs 0`', async () => {
    const c = compileSim(SRC('finite_outputs 0'));
    if (!c.ok) throw new Error(c.errors.join('\n'));
    const cpu = await runOnCpu(c.stage);
    if (!cpu.ok) throw new Error(cpu.message);
    const v = Array.from(cpu.result.events[0]!.fields[0]!);
    expect(v.filter(Number.isNaN).length).toBe(6); // at step 2 every agent's x is negative: log is NaN
  });

  it('`finite_outputs` takes 0 or 1', () => {
    const bad = compileSim('sim s { worlds 1 agents 1 steps 1 finite_outputs 2 }');
    expect(bad.ok ? [] : bad.errors).toEqual(['SYN2009 `finite_outputs` in sim s takes a constant integer from 0 to 1']);
  });
});

describe('shards and backends', () => {
  const SIM = (op: string) => `goal "g" { seed 3 }
sim s {
  worlds 8
  agents 4
  steps 5
  state x: f32 = uniform(1.0, 2.0)
  rule r { x = x ${op} 1.25 }
  observe every 5 { x }
}
dataset d {
  for r in s.trajectory
  row = { world: r.world, x: r.x }
  output "out/d.jsonl"
}
`;
  const shards = (src: string) => {
    const { dir, file } = spec(src);
    for (const i of [0, 1]) {
      const r = synth(['run', file, '--backend', 'cpu', '--shard', `${i}/2`, '-o', path.join(dir, `s${i}`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const manifest = (i: number) => path.join(dir, `s${i}`, readdirSync(path.join(dir, `s${i}`)).find((f) => f.endsWith('.manifest.json'))!);
    return { dir, manifest };
  };
  const pretendWebGpu = (file: string) => {
    const m = JSON.parse(readFileSync(file, 'utf8'));
    m.sims.s.backend = 'webgpu (some GPU)';
    writeFileSync(file, JSON.stringify(m));
  };

  it('the manifest records the backend each sim ran on and whether it is exact', () => {
    const { manifest } = shards(SIM('/'));
    const m = JSON.parse(readFileSync(manifest(0), 'utf8'));
    expect(m.sims.s).toEqual({ backend: 'cpu', exact: false, inexact: ['f32 division (`x / 1.25`)'], requested: 'cpu' });
  });

  it('`synth merge` refuses shards of a sim with f32 division made on different backends', () => {
    const { dir, manifest } = shards(SIM('/'));
    pretendWebGpu(manifest(1));
    const r = synth(['merge', path.join(dir, 's0'), path.join(dir, 's1'), '-o', path.join(dir, 'm')]);
    expect(r.code).toBe(1); // shards that cannot be merged are the user's input (cli/exit-codes.ts)
    expect(r.stderr).toMatch(/SYN5008.*dataset d: shards 0\/2 and 1\/2 ran simulation s on different backends \(cpu, webgpu \(some GPU\)\).*f32 division/);
  });

  it('and merges shards of an exact sim made on different backends', () => {
    const { dir, manifest } = shards(SIM('*'));
    pretendWebGpu(manifest(1));
    const r = synth(['merge', path.join(dir, 's0'), path.join(dir, 's1'), '-o', path.join(dir, 'm')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'm', 'd.jsonl'), 'utf8').trim().split('\n')).toHaveLength(64); // 32 agents × 2 observations
  });
});
