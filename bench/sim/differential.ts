// The generated differential test at scale: N random well-typed sims (test/support/sim-gen.ts) on the CPU
// backend and on WebGPU, bit-identical results required. Disagreements are shrunk and printed (and written to
// test-output/sim-shrunk/) to be kept as regression tests.
// Run (after `npm run build`, which the GPU process needs):
//   npx tsx bench/sim/differential.ts                         100,000 programs from seed 1,000,000
//   npx tsx bench/sim/differential.ts --programs 5000 --seed 7 --minutes 30
// --minutes stops early (reporting how many ran) on a machine where all of them would take too long.
// --jobs J (default: one per two cores) runs J copies of this script side by side, copy j taking seeds
// seed + j, seed + j + J, …, each with its own GPU process (a GPU process is one thread of Dawn and llvmpipe,
// and this process's check/lower/print and CPU run are one more): the same programs, compared the same way, J
// at a time. The copies' reports are summed.
// --chunk C (default 2,000) runs the programs C at a time, each chunk in fresh processes starting after the last
// seed of the one before, and prints the running totals after each: a run stopped part-way (or by --minutes)
// still says how many programs agreed and which seeds they were.
// Throughput depends on Mesa's shader cache (~/.cache/mesa_shader_cache_db): seeds run before compile from it
// (about 30 programs/s with --jobs 2 on two cores), new ones are compiled by llvmpipe's LLVM (about 10/s).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { closeGpuSession, probeWebGpu } from '../../runtime/sim/gpu-host.js';
import { SimGenerator, printProgram } from '../../test/support/sim-gen.js';
import { diffMany, diffProgram } from '../../test/support/sim-diff.js';
import { shrink } from '../../test/support/sim-shrink.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

interface Report {
  programs: number;
  mismatches: number;
  generatedNotChecking: number;
  seeds: number[];
  seconds: number;
  programsPerSecond: number;
  stoppedByTimeLimit: boolean;
  jobs?: number;
}

/**
 * Runs `programs` programs `chunk` at a time, each chunk in fresh processes (see the header), from seed `seed0`;
 * prints one summed report (JSON) at the end and a line per chunk.
 */
async function mainChunks(jobs: number, programs: number, seed0: number, minutes: number, chunk: number): Promise<void> {
  const t0 = performance.now();
  const deadline = t0 + minutes * 60_000;
  const total = { programs: 0, mismatches: 0, generatedNotChecking: 0 };
  let seed = seed0;
  let stopped = false;
  while (total.programs < programs) {
    const left = (deadline - performance.now()) / 60_000;
    if (left <= 0) {
      stopped = true;
      break;
    }
    const r = await runJobs(jobs, Math.min(chunk, programs - total.programs), seed, Number.isFinite(minutes) ? left : Infinity);
    total.programs += r.programs;
    total.mismatches += r.mismatches;
    total.generatedNotChecking += r.generatedNotChecking;
    seed = r.seeds[1]! + 1;
    const s = (performance.now() - t0) / 1000;
    console.log(`chunk done: ${total.programs} programs, ${total.mismatches} mismatches, seeds ${seed0}–${seed - 1}, ${s.toFixed(0)} s, ${(total.programs / s).toFixed(1)} programs/s`);
    if (r.stoppedByTimeLimit) {
      stopped = true;
      break;
    }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ ...total, seeds: [seed0, seed - 1], seconds: Math.round(s), programsPerSecond: +(total.programs / s).toFixed(1), jobs, chunk, stoppedByTimeLimit: stopped }));
}

/** Runs `jobs` copies of this script over interleaved seeds and sums their reports (see the header). */
async function mainJobs(jobs: number, programs: number, seed0: number, minutes: number): Promise<void> {
  const r = await runJobs(jobs, programs, seed0, minutes);
  console.log(JSON.stringify(r));
}

/** `jobs` copies of this script over interleaved seeds from `seed0`, `programs` among them; their reports summed. */
async function runJobs(jobs: number, programs: number, seed0: number, minutes: number): Promise<Report> {
  const t0 = performance.now();
  const script = fileURLToPath(import.meta.url);
  const reports = await Promise.all(
    Array.from({ length: jobs }, (_, j) => {
      const share = Math.floor(programs / jobs) + (j < programs % jobs ? 1 : 0);
      const args = ['--programs', share, '--seed', seed0, '--offset', j, '--stride', jobs, '--jobs', 1, ...(Number.isFinite(minutes) ? ['--minutes', minutes] : [])].map(String);
      return new Promise<Report>((resolve, reject) => {
        const child = spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
        let last = '';
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const line of lines) {
            if (line.startsWith('{')) last = line;
            else console.log(`[job ${j}] ${line}`);
          }
        });
        child.on('close', (code) => {
          if (buf.startsWith('{')) last = buf;
          if (code !== 0 || !last) reject(new Error(`job ${j} exited with code ${code}`));
          else resolve(JSON.parse(last) as Report);
        });
      });
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const sum = (k: 'programs' | 'mismatches' | 'generatedNotChecking') => reports.reduce((a, r) => a + r[k], 0);
  const seeds = [seed0, Math.max(...reports.map((r) => r.seeds[1]!))];
  return { programs: sum('programs'), mismatches: sum('mismatches'), generatedNotChecking: sum('generatedNotChecking'), seeds, seconds: Math.round(s), programsPerSecond: +(sum('programs') / s).toFixed(1), jobs, stoppedByTimeLimit: reports.some((r) => r.stoppedByTimeLimit) };
}

async function main(): Promise<void> {
  const programs = arg('programs', 100_000);
  const seed0 = arg('seed', 1_000_000);
  const minutes = arg('minutes', Infinity);
  const jobs = arg('jobs', Math.max(1, Math.floor(availableParallelism() / 2)));
  const chunk = arg('chunk', 2000);
  // a copy started by runJobs (--offset given) runs its share in one go
  if (!process.argv.includes('--offset') && programs > chunk) return mainChunks(jobs, programs, seed0, minutes, chunk);
  if (jobs > 1) return mainJobs(jobs, programs, seed0, minutes);
  const offset = arg('offset', 0);
  const stride = arg('stride', 1);
  const gpuProcesses = arg('gpu-processes', 1);
  const probe = await probeWebGpu();
  if (!probe.ok) {
    console.error(`no WebGPU adapter: ${probe.detail}`);
    process.exit(2);
  }
  if (offset === 0) console.log(`adapter: ${probe.detail}`);
  const t0 = performance.now();
  const deadline = t0 + minutes * 60_000;
  const seedOf = new Map<string, number>();
  let seed = seed0 + offset;
  let stopped = false;
  function* sources() {
    for (;; seed += stride) {
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
    { valid: programs, gpuProcesses },
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
