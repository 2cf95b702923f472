// The generated differential suite: thousands of random well-typed sims (test/support/sim-gen.ts), each
// checked, lowered, printed twice and run on the CPU backend and on WebGPU (Dawn; llvmpipe in CI) in one GPU
// process, with bit-identical results required. A disagreement is shrunk to a small program (sim-shrink.ts),
// printed in the failure and written to test-output/sim-shrunk/ — copy it into test/sim/regressions/ with a
// comment on what it showed, once fixed.
//
// SYNTH_SIM_PROGRAMS (default 2000) programs that check, from seed SYNTH_SIM_SEED (default 1), in slices of 250.
// bench/sim/differential.ts runs the same over 100,000 programs.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimGenerator, printProgram } from '../support/sim-gen.js';
import { diffMany, diffProgram } from '../support/sim-diff.js';
import { shrink } from '../support/sim-shrink.js';
import { needWebGpu } from '../support/webgpu.js';

const PROGRAMS = Number(process.env['SYNTH_SIM_PROGRAMS'] ?? 2000);
const SEED = Number(process.env['SYNTH_SIM_SEED'] ?? 1);
const SLICE = 250;

describe('generated sims give bit-identical results on the CPU and WebGPU backends', () => {
  let next = SEED;
  let total = 0;
  for (let slice = 0; slice * SLICE < PROGRAMS; slice++) {
    const count = Math.min(SLICE, PROGRAMS - slice * SLICE);
    it(`programs ${slice * SLICE + 1}–${slice * SLICE + count}`, async (ctx) => {
      await needWebGpu(ctx, 'generated CPU/WebGPU differential suite');
      // generator seeds from `next` on, until `count` programs have checked (about one in four does not)
      const seedOf = new Map<string, number>();
      function* sources() {
        for (;; next++) {
          const src = printProgram(new SimGenerator(next).program());
          seedOf.set(src, next);
          yield src;
        }
      }
      const failures: { seed: number; detail: string }[] = [];
      const ran = await diffMany(sources(), (src, o) => {
        if (o.kind === 'mismatch') failures.push({ seed: seedOf.get(src)!, detail: o.detail });
      }, { valid: count });
      next++;
      total += ran;
      if (failures.length) {
        const { seed, detail } = failures[0]!;
        const small = await shrink(new SimGenerator(seed).program(), async (src) => (await diffProgram(src)).kind === 'mismatch', 1500);
        const dir = path.resolve('test-output', 'sim-shrunk');
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `seed-${seed}.synth`), small.source);
        expect.fail(`${failures.length} of ${ran} generated sims disagree; the first (seed ${seed}): ${detail}\nshrunk (test-output/sim-shrunk/seed-${seed}.synth):\n${small.source}`);
      }
      expect(ran).toBe(count);
    }, 20 * 60_000); // a slice takes a minute or two alone, several on a loaded machine
  }
  it(`ran ${PROGRAMS} programs`, async (ctx) => {
    await needWebGpu(ctx, 'generated CPU/WebGPU differential suite');
    expect(total).toBe(PROGRAMS);
  });
});
