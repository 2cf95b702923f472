// `synth report` at scale, measured as users run it: `synth run` writes a 10,000,000-row dataset (JSONL and
// CSV, five columns: an enum, a float, an int, a bool and a templated text), then `synth report` reads it through
// the CLI, beside two floors in the same run: `wc -l` (reading the bytes) and a Node script that parses every
// row and does nothing else (bench/report/floor.ts). Time and peak memory come from GNU time (`%e`, `%M`).
//
// Run (after `npm run build`): node dist/bench/report/run.js [rows] [--dir DIR] [--reuse]
//   --dir DIR  where the spec and its output go (default: a fresh temp folder; the output is ~2 GB at 10M rows)
//   --reuse    keep an output already in DIR if it has the right row count
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a.replace(/_/g, '')))?.replace(/_/g, '') ?? 10_000_000);
const dirArg = args.indexOf('--dir');
const dir = dirArg >= 0 ? path.resolve(args[dirArg + 1]!) : mkdtempSync(path.join(tmpdir(), 'synth-bench-report-'));
const reuse = args.includes('--reuse');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const FLOOR = path.join(ROOT, 'dist', 'bench', 'report', 'floor.js');
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) throw new Error('needs GNU time at /usr/bin/time (apt-get install time)');
if (!existsSync(CLI) || !existsSync(FLOOR)) throw new Error('run `npm run build` first');

const SPEC = `goal "report at scale" { seed 11 }
enum Tier { free, pro, enterprise }
struct Row { tier: Tier  score: float  level: int  active: bool  note: string }
dataset big_jsonl: Row {
  count ${rows}
  vary tier ~ weighted { free: 0.6, pro: 0.3, enterprise: 0.1 }
  vary score ~ normal(50.0, 12.0)
  vary level ~ randint(0, 99)
  vary active ~ bernoulli(0.3)
  vary word ~ one_of("router drops", "billing question", "login fails", "slow dashboard", "export broken")
  row = { tier: tier, score: score, level: level, active: active, note: word + " on plan " + str(level) + " score " + str(round(score)) }
  output "out/jsonl/big.jsonl"
}
dataset big_csv: Row {
  count ${rows}
  vary tier ~ weighted { free: 0.6, pro: 0.3, enterprise: 0.1 }
  vary score ~ normal(50.0, 12.0)
  vary level ~ randint(0, 99)
  vary active ~ bernoulli(0.3)
  vary word ~ one_of("router drops", "billing question", "login fails", "slow dashboard", "export broken")
  row = { tier: tier, score: score, level: level, active: active, note: word + " on plan " + str(level) + " score " + str(round(score)) }
  output "out/csv/big.csv"
}
`;

/** Runs a command under GNU time: wall seconds, peak RSS in MB, exit code and output. */
function timed(cmd: string[], cwd: string): { s: number; mb: number; code: number; out: string } {
  const r = spawnSync(TIME, ['-f', '%e %M', ...cmd], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stderr.trim().split('\n').pop()!;
  const [s, kb] = last.split(' ').map(Number);
  return { s: s!, mb: Math.round(kb! / 1024), code: r.status ?? -1, out: r.stdout + r.stderr };
}

mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'scale.synth'), SPEC);
const rowsIn = (manifest: string) => (existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { counts: { rows: number } }).counts.rows : -1);
const manifests = ['out/jsonl/big.manifest.json', 'out/csv/big.manifest.json'].map((m) => path.join(dir, m));
if (!reuse || manifests.some((m) => rowsIn(m) !== rows)) {
  console.error(`generating ${rows.toLocaleString('en-US')} rows × 2 formats in ${dir} …`);
  const gen = timed(['node', CLI, 'run', 'scale.synth', '--fresh'], dir);
  if (gen.code !== 0) throw new Error(`synth run failed:\n${gen.out}`);
  console.error(`  synth run: ${gen.s} s, ${gen.mb} MB`);
}

const results: Record<string, unknown>[] = [];
for (const format of ['jsonl', 'csv'] as const) {
  const out = path.join(dir, 'out', format);
  const data = path.join(out, `big.${format}`);
  const wc = timed(['wc', '-l', data], dir);
  const floor = timed(['node', FLOOR, data], dir);
  const report = timed(['node', CLI, 'report', out], dir);
  if (report.code !== 0) throw new Error(`synth report failed:\n${report.out}`);
  results.push({
    format,
    rows,
    file_mb: Math.round(statSync(data).size / 2 ** 20),
    synth_report_s: report.s,
    synth_report_peak_mb: report.mb,
    rows_per_s: Math.round(rows / report.s),
    html_kb: Math.round(statSync(path.join(out, 'report.html')).size / 1024),
    floor_parse_s: floor.s,
    floor_parse_peak_mb: floor.mb,
    wc_l_s: wc.s,
  });
}
console.log(JSON.stringify({ load_avg_1m: +loadavg()[0]!.toFixed(2), results }, null, 1));
