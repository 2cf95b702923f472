// Language-server latency on a 5,000-line spec: edit → diagnostics, and completion and hover sent right after
// an edit (so they include analysing the edited text). The real server, over stdio, like an editor.
//
//   npx tsx bench/lsp/run.ts [--lines 5000] [--edits 200]
//   (or after `npm run build`: node dist/bench/lsp/run.js)
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { bigSpec } from './spec.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const ROOT = path.resolve(here, fromDist ? '../../..' : '../..');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, character: offset - last - 1 };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

async function main(): Promise<void> {
  const lines = arg('lines', 5000);
  const edits = arg('edits', 200);
  const args = fromDist ? [path.join(ROOT, 'dist/cli/main.js'), 'lsp', '--stdio'] : ['--import', 'tsx', path.join(ROOT, 'lsp/server-main.ts'), '--stdio'];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map<number, (t: number) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { version?: number }) => {
    const w = waiting.get(p.version ?? -1);
    if (w) {
      waiting.delete(p.version ?? -1);
      w(performance.now());
    }
  });
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ROOT).href, capabilities: {}, initializationOptions: { debounceMs: 0 } });
  await conn.sendNotification('initialized', {});

  let text = bigSpec(lines);
  const uri = pathToFileURL(path.join(ROOT, 'bench/lsp/__bench.synth')).href;
  let version = 1;
  const diagnosticsFor = (v: number) => new Promise<number>((resolve) => waiting.set(v, resolve));
  let first = diagnosticsFor(1);
  let t0 = performance.now();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'synth', version, text } });
  const openMs = (await first) - t0;

  // Edit sites: the `check` line of every dataset (typing inside a declaration in the middle of the file).
  const sites: number[] = [];
  for (let i = text.indexOf('check len(row.body) >= 40'); i >= 0; i = text.indexOf('check len(row.body) >= 40', i + 1)) sites.push(i + 'check len(row.body) >= '.length);
  const edit = async (at: number, insert: string, remove: number): Promise<{ sent: number; diagnostics: Promise<number> }> => {
    const change = { range: { start: positionAt(text, at), end: positionAt(text, at + remove) }, text: insert };
    text = text.slice(0, at) + insert + text.slice(at + remove);
    version++;
    const d = diagnosticsFor(version);
    const sent = performance.now();
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    return { sent, diagnostics: d };
  };

  const diag: number[] = [];
  const completion: number[] = [];
  const hover: number[] = [];
  const warm = 20;
  for (let i = 0; i < edits + warm; i++) {
    const site = sites[(i * 7) % sites.length]!;
    // 1) edit → diagnostics: type a digit, wait for the diagnostics of that version
    let e = await edit(site, '4', 0);
    const dt = (await e.diagnostics) - e.sent;
    // 2) completion right after an edit: `row.` completion at the edited line
    e = await edit(site, '', 1);
    t0 = performance.now();
    const comp = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: positionAt(text, site - ' >= '.length - 'len(row.body)'.length + 'len(row.'.length) })) as { items: unknown[] };
    const ct = performance.now() - t0;
    await e.diagnostics;
    // 3) hover right after an edit: on `row` in the check
    e = await edit(site, '0', 0);
    t0 = performance.now();
    await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionAt(text, site - ' >= '.length - 'len(row.body)'.length + 'len(r'.length) });
    const ht = performance.now() - t0;
    await e.diagnostics;
    e = await edit(site, '', 1);
    await e.diagnostics;
    if (i >= warm) {
      diag.push(dt);
      completion.push(ct);
      hover.push(ht);
    }
    if (i === 0 && comp.items.length === 0) throw new Error('completion returned nothing');
  }
  first = conn.sendRequest('shutdown') as Promise<number>;
  await first;
  await conn.sendNotification('exit'); // written before the stream is closed (else the write fails after the results are printed)
  conn.dispose();
  proc.kill();

  const row = (name: string, xs: number[]) => `| ${name} | ${pct(xs, 0.5).toFixed(1)} | ${pct(xs, 0.95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;
  const nLines = text.split('\n').length;
  console.log(`Language server on a ${nLines.toLocaleString('en-US')}-line spec, ${edits} edits after ${warm} warm-up edits (open + first diagnostics: ${openMs.toFixed(0)} ms)\n`);
  console.log('| request (after an edit) | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- |');
  console.log(row('edit → diagnostics', diag));
  console.log(row('completion', completion));
  console.log(row('hover', hover));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
