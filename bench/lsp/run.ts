// Language-server latency on a 5,000-line spec: edit → diagnostics, and completion and hover sent right after
// an edit (so they include analysing the edited text). The real server, over stdio, like an editor.
//
//   npx tsx bench/lsp/run.ts [--lines 5000] [--edits 200]
//   (or after `npm run build`: node dist/bench/lsp/run.js)
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lineStarts, numberArg, positionIn, ROOT, startServer } from './client.js';
import { percentile } from './random-edits.js';
import { bigSpec } from './spec.js';

async function main(): Promise<void> {
  const lines = numberArg('lines', 5000);
  const edits = numberArg('edits', 200);
  const server = await startServer();
  const { conn, diagnosticsFor } = server;

  let text = bigSpec(lines);
  const uri = pathToFileURL(path.join(ROOT, 'bench/lsp/__bench.synth')).href;
  let version = 1;
  const first = diagnosticsFor(1);
  let t0 = performance.now();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'synth', version, text } });
  const openMs = (await first) - t0;

  // Edit sites: the `check` line of every dataset (typing inside a declaration in the middle of the file).
  const sites: number[] = [];
  for (let i = text.indexOf('check len(row.body) >= 40'); i >= 0; i = text.indexOf('check len(row.body) >= 40', i + 1)) sites.push(i + 'check len(row.body) >= '.length);
  const edit = async (at: number, insert: string, remove: number): Promise<{ sent: number; diagnostics: Promise<number> }> => {
    const starts = lineStarts(text);
    const change = { range: { start: positionIn(starts, at), end: positionIn(starts, at + remove) }, text: insert };
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
    const comp = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: positionIn(lineStarts(text), site - ' >= '.length - 'len(row.body)'.length + 'len(row.'.length) })) as { items: unknown[] };
    const ct = performance.now() - t0;
    await e.diagnostics;
    // 3) hover right after an edit: on `row` in the check
    e = await edit(site, '0', 0);
    t0 = performance.now();
    await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionIn(lineStarts(text), site - ' >= '.length - 'len(row.body)'.length + 'len(r'.length) });
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
  await server.stop();

  const row = (name: string, xs: number[]) => `| ${name} | ${percentile(xs, 0.5).toFixed(1)} | ${percentile(xs, 0.95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;
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
