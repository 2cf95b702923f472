// Where the language server's time goes: the edits of bench/lsp/run.ts (same spec, same sites, same mix) applied
// to a `Workspace` in process, without the protocol, timing each stage of an edit's analysis.
//
//   npx tsx bench/lsp/in-process.ts [--lines 5000] [--edits 200]
//   npx tsx bench/lsp/in-process.ts --random [--edits 2500] [--seed 13]   (bench/lsp/stress.ts's edits)
//   --cpu: time by this process's CPU time (user + system) instead of the wall clock, which a loaded machine
//   inflates with time spent waiting for a core. Either way, garbage-collection pauses are attributed per step.
import * as path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parserWarmUpSteps } from '../../grammar/parse.js';
import { completion } from '../../lsp/completion.js';
import { definition } from '../../lsp/definition.js';
import { semanticTokenStats, TokenResults } from '../../lsp/semantic-tokens.js';
import { documentDiagnostics } from '../../lsp/diagnostics.js';
import { hover } from '../../lsp/hover.js';
import { Workspace, type Analysis } from '../../lsp/workspace.js';
import { percentile, stressSteps } from './random-edits.js';
import { bigSpec } from './spec.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const edits = arg('edits', 200);
const warm = 20;
let text = bigSpec(arg('lines', 5000));
const uri = pathToFileURL(path.join(here, '__bench.synth')).href;
const ws = new Workspace({ debounceMs: 0 });
let version = 1;
const doc = ws.open(uri, text, version);
ws.analyze(uri);
for (const step of parserWarmUpSteps()) step(); // as the server does in idle time after it starts

const sites: number[] = [];
for (let i = text.indexOf('check len(row.body) >= 40'); i >= 0; i = text.indexOf('check len(row.body) >= 40', i + 1)) sites.push(i + 'check len(row.body) >= '.length);

const cpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const now: () => number = process.argv.includes('--cpu') ? cpuClock : () => performance.now();
/** garbage collections (start, duration in ms, kind), attributed to the steps they fell in at the end */
const gcs: Array<{ start: number; ms: number; kind: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0 });
}).observe({ entryTypes: ['gc'] });

const times = new Map<string, number[]>();
let stepStages: string[] = [];
const record = (stage: string, ms: number) => {
  let xs = times.get(stage);
  if (!xs) times.set(stage, (xs = []));
  xs.push(ms);
};
const time = <R>(stage: string, measured: boolean, f: () => R): R => {
  const t0 = now();
  const r = f();
  const ms = now() - t0;
  if (measured) record(stage, ms);
  stepStages.push(`${stage.split(' ')[0]} ${ms.toFixed(1)}`);
  return r;
};

/** One edit and its analysis, as the server does it: parse, load + check, diagnostics. */
function edit(at: number, insert: string, remove: number, measured: boolean): Analysis {
  if (insert || remove) text = text.slice(0, at) + insert + text.slice(at + remove);
  ws.update(uri, text, ++version);
  const t0 = now();
  time('parse (incremental)', measured, () => ws.parser(doc.path).parse(text));
  const a = time('loadProgram + checkProgram', measured, () => ws.analyze(uri)!);
  time('diagnostics → LSP', measured, () => documentDiagnostics(a));
  if (measured) record('edit total', now() - t0);
  return a;
}

const tokenResults = new TokenResults();
let tokenId: string | undefined;
const slowest: Array<{ ms: number; big?: boolean; what: string; from: number; to: number; hr?: bigint[] }> = [];
if (process.argv.includes('--random')) {
  let i = 0;
  for (const step of stressSteps(text, edits + warm, arg('seed', 13))) {
    const m = i++ >= warm;
    text = step.text;
    stepStages = [];
    const from = performance.now();
    const hr0 = process.hrtime.bigint() / 1000n;
    const checked0 = ws.sessionStats(uri)?.checked ?? 0;
    const t0 = now();
    const before = { ...ws.parser(doc.path).stats };
    const a = edit(0, '', 0, m);
    const parsed = ws.parser(doc.path).stats.segmentsParsed - before.segmentsParsed;
    const chars = ws.parser(doc.path).stats.charsParsed - before.charsParsed;
    const position = a.source.lines.position(step.askAt);
    const textDocument = { uri };
    if (step.ask === 'completion') time('completion', m, () => completion(a, { textDocument, position }));
    if (step.ask === 'hover') time('hover', m, () => hover(a, { textDocument, position }));
    if (step.ask === 'definition') time('definition', m, () => definition(a, { textDocument, position }));
    const st0 = { ...semanticTokenStats };
    // as the server answers: full the first time, then a delta from the previous result (as the stress client asks)
    if (step.ask === 'semanticTokens')
      time('semantic tokens', m, () => {
        const r = tokenId === undefined ? tokenResults.full(a) : tokenResults.delta(a, tokenId);
        tokenId = r.resultId;
      });
    if (step.ask === 'semanticTokens') stepStages.push(`(${semanticTokenStats.segments - st0.segments} segments, ${semanticTokenStats.chars - st0.chars} chars tokenised)`);
    const ms = now() - t0;
    const checked = (ws.sessionStats(uri)?.checked ?? 0) - checked0;
    if (m) {
      const big = chars > 10_000 || semanticTokenStats.chars - st0.chars > 10_000;
      slowest.push({
        ms,
        big,
        what: `${step.ask} after ${step.undo ? 'undo ' : ''}${JSON.stringify(step.insert.slice(0, 20))}/-${step.remove} at ${step.at}: ${parsed} segments (${chars} chars) parsed, ${checked} parts checked; ${stepStages.join(', ')}`,
        from,
        to: performance.now(),
        hr: [hr0, process.hrtime.bigint() / 1000n],
      });
    }
  }
} else for (let i = 0; i < edits + warm; i++) {
  const m = i >= warm;
  const site = sites[(i * 7) % sites.length]!;
  edit(site, '4', 0, m);
  let a = edit(site, '', 1, false);
  const at = site - ' >= '.length - 'len(row.body)'.length;
  time('completion', m, () => completion(a, { textDocument: { uri }, position: a.source.lines.position(at + 'len(row.'.length) }));
  a = edit(site, '0', 0, false);
  time('hover', m, () => hover(a, { textDocument: { uri }, position: a.source.lines.position(at + 'len(r'.length) }));
  edit(site, '', 1, false);
}

console.log(`In process, ${text.split('\n').length.toLocaleString('en-US')}-line spec, ${edits} edits after ${warm} warm-up edits\n`);
console.log('| stage | p50 ms | p95 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |');
for (const [stage, xs] of times) console.log(`| ${stage} | ${pct(xs, 0.5).toFixed(2)} | ${pct(xs, 0.95).toFixed(2)} | ${percentile(xs, 0.99).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`);
await new Promise((r) => setTimeout(r, 10)); // the observer's last entries
const gcIn = (from: number, to: number) =>
  gcs
    .filter((g) => g.start >= from && g.start < to)
    .map((g) => `${g.kind === 1 ? 'scavenge' : g.kind === 2 || g.kind === 4 ? 'mark-compact' : `gc${g.kind}`} ${g.ms.toFixed(1)}`)
    .join(' + ') || 'none';
console.log(`\ngarbage collections: ${gcs.length}, ${gcs.reduce((n, g) => n + g.ms, 0).toFixed(0)} ms in all; longest ${Math.max(0, ...gcs.map((g) => g.ms)).toFixed(1)} ms`);
if (slowest.length) {
  // the steps over one frame, and how many of them parsed or tokenised over 10,000 characters (a segment that an
  // unterminated string or comment made swallow the rest of the file)
  const over = slowest.filter((s) => s.ms > 16);
  console.log(`steps over 16 ms: ${over.length} of ${slowest.length} (${((100 * over.length) / slowest.length).toFixed(1)} %), ${over.filter((s) => s.big).length} of them parsing or tokenising over 10,000 characters`);
  console.log('\nslowest steps (edit + analysis + request):');
  for (const s of slowest.sort((x, y) => y.ms - x.ms).slice(0, arg('show', 12))) console.log(`  ${s.ms.toFixed(1)} ms  ${s.what}; gc: ${gcIn(s.from, s.to)}`);
  // with --windows FILE: the slowest steps' time windows (µs, monotonic clock), to cut a --cpu-prof profile by step
  const wi = process.argv.indexOf('--windows');
  if (wi >= 0) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.argv[wi + 1]!, JSON.stringify(slowest.slice(0, arg('show', 12)).map((s) => ({ what: s.what, from: String(s.hr![0]), to: String(s.hr![1]) }))));
  }
}
