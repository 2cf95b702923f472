// The generated differential test at scale: N random well-typed sims (test/support/sim-gen.ts) on the CPU
// backend and on WebGPU, bit-identical results required. Disagreements are shrunk and printed (and written to
// test-output/sim-shrunk/) to be kept as regression tests.
// Run (after `npm run build`, which the GPU process needs):
//   npx tsx bench/sim/differential.ts                         100,000 programs from seed 1,000,000
//   npx tsx bench/sim/differential.ts --programs 5000 --seed 7 --minutes 30
// --minutes stops early (reporting how many ran) on a machine where all of them would take too long.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { closeGpuSession, probeWebGpu } from '../../runtime/sim/gpu-host.js';
import { SimGenerator, printProgram } from '../../test/support/sim-gen.js';
import { diffMany, diffProgram } from '../../test/support/sim-diff.js';
import { shrink } from '../../test/support/sim-shrink.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const programs = arg('programs', 100_000);
  const seed0 = arg('seed', 1_000_000);
  const minutes = arg('minutes', Infinity);
  const probe = await probeWebGpu();
  if (!probe.ok) {
    console.error(`no WebGPU adapter: ${probe.detail}`);
    process.exit(2);
  }
  console.log(`adapter: ${probe.detail}`);
  const t0 = performance.now();
  const deadline = t0 + minutes * 60_000;
  const seedOf = new Map<string, number>();
  let seed = seed0;
  let stopped = false;
  function* sources() {
    for (;; seed++) {
      if (performance.now() > deadline) {
        stopped = true;
        return;
      }
      const src = printProgram(new SimGenerator(seed).program());
      seedOf.set(src, seed);
      yield src;
    }
  }
  const counts = { agree: 0, mismatch: 0, invalid: 0 };
  const mismatches: { seed: number; detail: string }[] = [];
  await diffMany(
    sources(),
    (src, o) => {
      counts[o.kind]++;
      const s = seedOf.get(src)!;
      seedOf.delete(src);
      if (o.kind === 'mismatch') {
        mismatches.push({ seed: s, detail: o.detail });
        console.log(`MISMATCH seed ${s}: ${o.detail}`);
      }
      const done = counts.agree + counts.mismatch;
      if (o.kind !== 'invalid' && done % 1000 === 0) console.log(`${done} programs, ${counts.mismatch} mismatches, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    },
    { valid: programs },
  );
  const s = (performance.now() - t0) / 1000;
  const ran = counts.agree + counts.mismatch;
  const dir = path.resolve('test-output', 'sim-shrunk');
  for (const m of mismatches.slice(0, 10)) {
    const small = await shrink(new SimGenerator(m.seed).program(), async (src) => (await diffProgram(src)).kind === 'mismatch', 2000);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `seed-${m.seed}.synth`), small.source);
    console.log(`shrunk seed ${m.seed}:\n${small.source}`);
  }
  console.log(
    JSON.stringify({ programs: ran, mismatches: counts.mismatch, generatedNotChecking: counts.invalid, seeds: [seed0, seed], seconds: Math.round(s), programsPerSecond: +(ran / s).toFixed(1), stoppedByTimeLimit: stopped }),
  );
  closeGpuSession();
}

void main();
