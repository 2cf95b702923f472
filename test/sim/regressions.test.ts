// Programs the backends once disagreed on (most found by the generated differential tests and shrunk), kept so
// each disagreement stays fixed: every .synth in test/sim/regressions/ must check, run on the CPU backend, and —
// where WebGPU is available — give bit-identical results (or the same error) on both backends.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSim, difference, runOnCpu, runOnGpu } from '../support/sim-diff.js';
import { needWebGpu } from '../support/webgpu.js';

const DIR = path.join(import.meta.dirname, 'regressions');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.synth')).sort();

describe('kept disagreements between the backends stay fixed', () => {
  it('has cases', () => expect(FILES.length).toBeGreaterThanOrEqual(10));
  for (const f of FILES) {
    it(f, async (ctx) => {
      const c = compileSim(readFileSync(path.join(DIR, f), 'utf8'));
      if (!c.ok) throw new Error(c.errors.join('\n'));
      const cpu = await runOnCpu(c.stage);
      if (!cpu.ok) expect(cpu.code).not.toBe('crash');
      await needWebGpu(ctx, `regression ${f} on WebGPU`);
      expect(difference(c.stage, cpu, await runOnGpu(c.stage))).toBeNull();
    });
  }
});

describe('what some of them must compute', () => {
  const run = async (f: string) => {
    const c = compileSim(readFileSync(path.join(DIR, f), 'utf8'));
    if (!c.ok) throw new Error(c.errors.join('\n'));
    return { stage: c.stage, cpu: await runOnCpu(c.stage) };
  };
  it('clamp on a vector is per component: (1.5, 2.5)', async () => {
    const { cpu } = await run('clamp-on-a-vector.synth');
    if (!cpu.ok) throw new Error(cpu.message);
    expect(Array.from(cpu.result.finalState[0]!)).toEqual([1.5, 1.5]);
    expect(Array.from(cpu.result.finalState[1]!)).toEqual([2.5, 2.5]);
  });
  it('an overflow names the first event kind and the run total', async () => {
    const { cpu } = await run('overflow-of-two-event-kinds.synth');
    expect(cpu.ok ? '' : cpu.message).toBe("simulation g: event 'a' overflowed its buffer (8 emitted, capacity 4); raise `max_events` in the sim (events are never dropped silently)");
  });
  it('min and max keep a NaN operand in the position a < b ? a : b puts it', async () => {
    const { cpu } = await run('max-with-nan.synth');
    if (!cpu.ok) throw new Error(cpu.message);
    expect(Array.from(cpu.result.finalState[0]!).every(Number.isNaN)).toBe(true);
  });
});

describe('randint ranges (adv12 #1)', () => {
  it('draws from the full 32-bit range, swaps run-time bounds out of order, converts a negative-bounded draw', async () => {
    const c = compileSim(readFileSync(path.join(DIR, 'randint-full-and-swapped-ranges.synth'), 'utf8'));
    if (!c.ok) throw new Error(c.errors.join('\n'));
    const cpu = await runOnCpu(c.stage);
    if (!cpu.ok) throw new Error(cpu.message);
    const col = (name: string) => Array.from(cpu.result.finalState[c.stage.layout.columns.findIndex((x) => x.name === name)]!);
    const a = col('a');
    const d = col('d');
    // 32 draws over 2^32 values: all distinct, never all the low bound, on both sides of 0 / 2^31
    expect(new Set(a).size).toBe(32);
    expect(a.some((x) => x < 0) && a.some((x) => x > 0)).toBe(true);
    expect(new Set(d).size).toBe(32);
    expect(d.some((x) => x >= 2 ** 31) && d.some((x) => x < 2 ** 31)).toBe(true);
    expect(col('e').every((x) => x >= 1 && x <= 5)).toBe(true);
    expect(new Set(col('e')).size).toBeGreaterThan(1);
    // -5..5 as a u32: 0..5 or 2^32 − 5 .. 2^32 − 1
    expect(col('f').every((x) => x <= 5 || x >= 2 ** 32 - 5)).toBe(true);
    expect(col('g').every((x) => x >= 4294967290 && x <= 4294967295)).toBe(true);
  });
});
