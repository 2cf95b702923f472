// `synth check` on 1 MB error-riddled specs, through the CLI as users run it. Two corpora:
//  - `misspelt`: the language-server benchmark's spec (bench/lsp/spec.ts: the tickets and traffic examples
//    repeated with renamed declarations) grown to 1 MB, then half of its declared names' uses misspelt (one
//    character changed, inserted or dropped; seeded): thousands of unknown names of every kind;
//  - `similar`: thousands of small enum/struct/dataset groups whose case names differ only by a number (`red1`,
//    `red2`, …) and whose datasets misspell three names each: every unknown name asks for a "did you mean" among
//    tens of thousands of near-identical enum cases (quadratic before suggestions were bounded).
//
//   npm run build && node dist/bench/check/error-riddled.js [--mb 1] [--seed 7]
//   (or: npx tsx bench/check/error-riddled.ts — then the CLI runs from source through tsx)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../test/support/prng.js';
import { bigSpec } from '../lsp/spec.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const ROOT = path.resolve(here, fromDist ? '../../..' : '../..');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

/** A spec of about `mb` megabytes whose renamed names (`…_12`) are misspelt half of the time. */
export function errorRiddled(mb: number, seed: number): string {
  const rnd = mulberry32(seed);
  let text = bigSpec(Math.ceil((mb * 1_000_000) / 29));
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  text = text.replace(/\b[A-Za-z]+(?:_[a-z]+)*_\d+\b/g, (w) => {
    if (rnd() < 0.5) return w;
    const i = Math.floor(rnd() * w.length);
    const c = letters[Math.floor(rnd() * letters.length)]!;
    const r = rnd();
    return r < 0.4 ? w.slice(0, i) + c + w.slice(i + 1) : r < 0.7 ? w.slice(0, i) + c + w.slice(i) : w.slice(0, i) + w.slice(i + 1);
  });
  return text;
}

/** About `mb` megabytes of groups (enum, struct, dataset) with three misspelt names each, among similar names. */
export function similarNames(mb: number): string {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < mb * 1_000_000; i++) {
    const g = `enum Color${i} { red${i}, green${i}, blue${i} }\nstruct Paint${i} {\n  color: Color${i}\n  coat: Colr${i}\n}\ndataset paints${i}: Paint${i} {\n  count 1\n  row = { color: gren${i}, coat: red${i} }\n  check row.color == bleu${i}\n  output "out/p${i}.jsonl"\n}\n`;
    out.push(g);
    size += g.length + 1;
  }
  return out.join('\n');
}

function main(): void {
  const mb = arg('mb', 1);
  for (const [corpus, text] of [
    ['misspelt', errorRiddled(mb, arg('seed', 7))],
    ['similar', similarNames(mb)],
  ] as const) check(corpus, text);
}

function check(corpus: string, text: string): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'synth-riddled-'));
  const file = path.join(dir, 'riddled.synth');
  writeFileSync(file, text);
  const cli = fromDist ? [path.join(ROOT, 'dist/cli/main.js')] : ['--import', 'tsx', path.join(ROOT, 'cli/main.ts')];
  // the CLI's own CPU time (user + system), written to fd 3 at exit: on a shared machine the wall time also counts
  // waiting for a core
  const cpuHook = 'data:text/javascript,import fs from "node:fs";process.on("exit",()=>{const u=process.cpuUsage();fs.writeSync(3,String((u.user+u.system)/1000))})';
  const load = os.loadavg()[0]!.toFixed(2);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', cpuHook, ...cli, 'check', file], { cwd: ROOT, maxBuffer: 1 << 30, encoding: 'buffer', stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  const cpuMs = Number(r.output[3]?.toString() || NaN);
  const out = (r.stdout?.length ?? 0) + (r.stderr?.length ?? 0);
  const errors = (r.stdout.toString('utf8') + r.stderr.toString('utf8')).match(/SYN\d{4}/g)?.length ?? 0;
  console.log(`synth check on a ${(text.length / 1e6).toFixed(2)} MB error-riddled spec, ${corpus} (${text.split('\n').length.toLocaleString('en-US')} lines): ${(ms / 1000).toFixed(2)} s (CPU ${(cpuMs / 1000).toFixed(2)} s), exit ${r.status}, output ${(out / 1e6).toFixed(2)} MB (${errors} codes printed); 1-minute load average ${load}`);
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
