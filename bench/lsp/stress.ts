// The language server under the random-edit stress test (bench/lsp/random-edits.ts) on a 5,000-line spec: the
// real server over stdio, like an editor. After every edit one request, in rotation: diagnostics (edit sent →
// diagnostics of that version published), completion, hover, definition, semantic tokens (full once, then
// `textDocument/semanticTokens/full/delta` when the server offers it, applied to the client's copy as VS Code
// does). Each request is sent right after its edit, so its time includes analysing the edited text.
//
//   npx tsx bench/lsp/stress.ts [--lines 5000] [--edits 2500] [--seed 13]
//   (or after `npm run build`: node dist/bench/lsp/stress.js)
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lineStarts, numberArg, positionIn, ROOT, startServer } from './client.js';
import { ASKS, percentile, stressSteps, type Ask } from './random-edits.js';
import { bigSpec } from './spec.js';

interface SemanticTokensResult {
  resultId?: string;
  data?: number[];
  edits?: Array<{ start: number; deleteCount: number; data?: number[] }>;
}

async function main(): Promise<void> {
  const lines = numberArg('lines', 5000);
  const edits = numberArg('edits', 2500);
  const seed = numberArg('seed', 13);
  const warm = 50;
  const load0 = os.loadavg();
  // SYNTH_BENCH_SERVER_ARGS: extra node arguments for the server (e.g. --cpu-prof to profile it under the stress)
  const extra = process.env['SYNTH_BENCH_SERVER_ARGS']?.split(' ').filter(Boolean) ?? [];
  const server = await startServer({ textDocument: { semanticTokens: { requests: { range: true, full: { delta: true } } } } }, extra);
  const { conn, diagnosticsFor } = server;
  const full = (server.init.capabilities as { semanticTokensProvider?: { full?: boolean | { delta?: boolean } } }).semanticTokensProvider?.full;
  const delta = typeof full === 'object' && !!full.delta;

  let text = bigSpec(lines);
  const uri = pathToFileURL(path.join(ROOT, 'bench/lsp/__stress.synth')).href;
  let version = 1;
  const opened = diagnosticsFor(1);
  const t0 = performance.now();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'synth', version, text } });
  const openMs = (await opened) - t0;

  const times = new Map<Ask, number[]>(ASKS.map((k) => [k, []]));
  let tokens: number[] = [];
  let resultId: string | undefined;
  let starts = lineStarts(text);
  let i = 0;
  for (const step of stressSteps(text, edits + warm, seed)) {
    const change = { range: { start: positionIn(starts, step.at), end: positionIn(starts, step.at + step.remove) }, text: step.insert };
    text = step.text;
    starts = lineStarts(text);
    version++;
    const diagnostics = diagnosticsFor(version);
    const sent = performance.now();
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    let ms: number;
    const textDocument = { uri };
    const position = positionIn(starts, step.askAt);
    const t = performance.now();
    switch (step.ask) {
      case 'diagnostics':
        ms = (await diagnostics) - sent;
        break;
      case 'completion':
        await conn.sendRequest('textDocument/completion', { textDocument, position });
        ms = performance.now() - t;
        break;
      case 'hover':
        await conn.sendRequest('textDocument/hover', { textDocument, position });
        ms = performance.now() - t;
        break;
      case 'definition':
        await conn.sendRequest('textDocument/definition', { textDocument, position });
        ms = performance.now() - t;
        break;
      case 'semanticTokens': {
        const r = (
          delta && resultId !== undefined
            ? await conn.sendRequest('textDocument/semanticTokens/full/delta', { textDocument, previousResultId: resultId })
            : await conn.sendRequest('textDocument/semanticTokens/full', { textDocument })
        ) as SemanticTokensResult | null;
        ms = performance.now() - t;
        if (r?.edits) {
          for (const e of [...r.edits].sort((x, y) => y.start - x.start)) tokens.splice(e.start, e.deleteCount, ...(e.data ?? []));
        } else if (r?.data) tokens = r.data;
        resultId = r?.resultId;
        break;
      }
    }
    await diagnostics;
    if (i >= warm) times.get(step.ask)!.push(ms);
    i++;
  }
  await server.stop();
  const load1 = os.loadavg();

  const row = (name: string, xs: number[]) =>
    `| ${name} | ${xs.length} | ${percentile(xs, 0.5).toFixed(1)} | ${percentile(xs, 0.95).toFixed(1)} | ${percentile(xs, 0.99).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;
  console.log(
    `Language server, random-edit stress on a ${text.split('\n').length.toLocaleString('en-US')}-line spec: ${edits} edits after ${warm} warm-up edits, seed ${seed}; ` +
      `semantic tokens ${delta ? 'full then delta' : 'full'}; open + first diagnostics ${openMs.toFixed(0)} ms; ` +
      `load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${load1.map((x) => x.toFixed(2)).join(' ')}\n`,
  );
  console.log('| request (right after an edit) | n | p50 ms | p95 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- | --- |');
  for (const [k, xs] of times) console.log(row(k === 'diagnostics' ? 'edit → diagnostics' : k, xs));
  console.log(`\n(semantic tokens held by the client at the end: ${tokens.length / 5} tokens)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
