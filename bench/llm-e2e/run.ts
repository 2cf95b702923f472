// End to end: `synth run` on a prompt dataset against the test server, beside peers doing the same structured
// calls and writing the same JSONL (peer.ts), each in its own process, the server in another (its CPU is not
// charged to the client). Latency is jittered: uniform in [0.5, 1.5) × the mean.
//
//   npm run build && node dist/bench/llm-e2e/run.js [--rows 10000] [--in-flight 100,1000]
//        [--impls synth,openai+p-limit,ai-sdk+p-limit,langchain-batch] [--latency 200] [--repeats 1]
//        [--profile DIR]   (synth only: node --cpu-prof into DIR; BENCH_SYNTH_NODE_ARGS: more node flags for synth)
//
// Per measurement: a fresh server; the client under GNU time (wall, user + system CPU, peak RSS); then the
// output's lines are counted (every row must be there). Two throughputs: "wire" is rows over the time from the
// server's first request to its last answer (what Little's law bounds: in flight / mean latency), "command" is
// rows over the whole command's wall time (start-up, spec check, output commit included). CPU per row is the
// client process's user + system time over rows, start-up included.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spec } from './workload.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../..'); // dist/bench/llm-e2e → dist

function opt(name: string, dflt: string): string {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

const latency = Number(opt('latency', '200'));
const rowsList = opt('rows', '10000').split(',').map(Number);
const levels = opt('in-flight', '100,1000').split(',').map(Number);
const impls = opt('impls', 'synth,openai+p-limit,ai-sdk+p-limit,langchain-batch').split(',');
const repeats = Number(opt('repeats', '1'));
const profileDir = process.argv.includes('--profile') ? path.resolve(opt('profile', 'prof')) : undefined;

interface Server {
  url: string;
  stop: () => Promise<{ firstRequestAt: number; lastAnswerAt: number; requests: number; ok: number; cpuMs: number }>;
}

function startServer(): Promise<Server> {
  const lo = Math.round(latency / 2);
  const child = spawn(process.execPath, [path.join(dist, 'test/support/fake-openai-main.js'), '--port', '0', '--latency', String(lo), '--jitter', String(latency), '--stats'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening (\S+)/.exec(d.toString());
      if (m)
        resolve({
          url: m[1]!,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
            const last = err.trim().split('\n').pop() ?? '{}';
            return JSON.parse(last);
          },
        });
    });
    child.once('exit', (code) => reject(new Error(`test server exited (${code}): ${err}`)));
  });
}

interface Result {
  impl: string;
  inFlight: number;
  rows: number;
  wireRowsPerSec: number;
  wallS: number;
  cmdRowsPerSec: number;
  cpuMsPerRow: number;
  peakMb: number;
  load: number;
  serverCpuMsPerRow: number;
}

/** Runs `argv` under GNU time; resolves with its wall seconds, CPU seconds and peak RSS (MB). */
function timed(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ wall: number; cpu: number; peakMb: number; out: string }> {
  const timeFile = path.join(cwd, 'time.txt');
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${out}`));
      const [wall, user, sys, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      resolve({ wall: wall!, cpu: user! + sys!, peakMb: kb! / 1024, out });
    });
  });
}

function lines(file: string): number {
  const b = readFileSync(file);
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  return n;
}

async function measure(impl: string, inFlight: number, rows: number): Promise<Result> {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-e2e-'));
  const load = loadavg()[0]!;
  const server = await startServer();
  let t;
  let outFile: string;
  let s;
  try {
    if (impl === 'synth') {
      writeFileSync(path.join(dir, 'spec.synth'), spec(rows, inFlight));
      outFile = path.join(dir, 'out', 'tickets.jsonl');
      const prof = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(process.env['BENCH_SYNTH_NODE_ARGS'] ?? '').split(' ').filter(Boolean)];
      t = await timed([process.execPath, ...prof, path.join(dist, 'cli/main.js'), 'run', 'spec.synth'], { ...process.env, CI: '1', BENCH_BASE_URL: server.url, BENCH_API_KEY: 'sk-bench' }, dir);
    } else {
      outFile = path.join(dir, 'rows.jsonl');
      t = await timed([process.execPath, path.join(here, 'peer.js'), '--impl', impl, '--rows', String(rows), '--in-flight', String(inFlight), '--url', server.url, '--out', outFile], process.env, dir);
    }
  } finally {
    s = await server.stop();
  }
  const got = lines(outFile);
  rmSync(dir, { recursive: true, force: true });
  if (got !== rows) throw new Error(`${impl}: ${got} of ${rows} rows in the output`);
  const wire = (s.lastAnswerAt - s.firstRequestAt) / 1000;
  return {
    impl,
    inFlight,
    rows,
    wireRowsPerSec: rows / wire,
    wallS: t.wall,
    cmdRowsPerSec: rows / t.wall,
    cpuMsPerRow: (t.cpu * 1000) / rows,
    peakMb: t.peakMb,
    load,
    serverCpuMsPerRow: s.cpuMs / rows,
  };
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f2 = (n: number) => n.toFixed(2);

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const rows of rowsList) {
    for (const c of levels) {
      const limit = c / (latency / 1000);
      for (const impl of impls) {
        let best: Result | undefined;
        for (let r = 0; r < repeats; r++) {
          const res = await measure(impl, c, rows);
          if (!best || res.wireRowsPerSec > best.wireRowsPerSec) best = res;
        }
        results.push(best!);
        const b = best!;
        process.stderr.write(
          `${impl.padEnd(16)} ${f0(rows).padStart(9)} rows ${String(c).padStart(5)} in flight: wire ${f0(b.wireRowsPerSec)} rows/s (${((b.wireRowsPerSec / limit) * 100).toFixed(1)} % of ${f0(limit)}), command ${f2(b.wallS)} s = ${f0(b.cmdRowsPerSec)} rows/s, ${f2(b.cpuMsPerRow)} ms CPU/row (server ${f2(b.serverCpuMsPerRow)}), peak ${f0(b.peakMb)} MB, load ${b.load.toFixed(2)}\n`,
        );
      }
    }
  }
  const out: string[] = [];
  out.push(`| client | rows | in flight | wire rows/s | % of limit | command s | command rows/s | client CPU ms/row | peak RSS MB | vs best peer (wire) | load |`);
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const rows of rowsList) {
    for (const c of levels) {
      const limit = c / (latency / 1000);
      const cell = results.filter((r) => r.inFlight === c && r.rows === rows);
      const bestPeer = Math.max(0, ...cell.filter((r) => r.impl !== 'synth').map((r) => r.wireRowsPerSec));
      for (const r of cell) {
        const vs = r.impl === 'synth' && bestPeer > 0 ? `${f2(r.wireRowsPerSec / bestPeer)}×` : '';
        out.push(
          `| ${r.impl === 'synth' ? '**synth run**' : r.impl} | ${f0(rows)} | ${f0(c)} | ${f0(r.wireRowsPerSec)} | ${((r.wireRowsPerSec / limit) * 100).toFixed(1)} % | ${f2(r.wallS)} | ${f0(r.cmdRowsPerSec)} | ${f2(r.cpuMsPerRow)} | ${f0(r.peakMb)} | ${vs} | ${r.load.toFixed(1)} |`,
        );
      }
    }
  }
  process.stdout.write(out.join('\n') + '\n');
  process.stdout.write(`\n${cpus().length} CPUs, Node ${process.version}, latency uniform in [${latency / 2}, ${latency * 1.5}) ms\n`);
}

await main();
