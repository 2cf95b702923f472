// The server survives a fuzz session: thousands of random edits (insertions, deletions, garbage, moved chunks)
// on the examples, each followed by diagnostics, completion and hover, with no crash, every request answered, and the
// edited document's diagnostics and semantic tokens equal to those of a fresh document with the same text.
// Latency is not asserted here (a loaded CI machine makes any limit flaky): bench/lsp/stress.ts measures p99.
import { readFileSync, statSync } from 'node:fs';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSpecs } from '../support/examples.js';
import { LspClient, uriOf } from './support/client.js';
import { mulberry32 } from '../support/prng.js';
import { randomEdit } from './support/edits.js';

const EDITS = Number(process.env['SYNTH_LSP_FUZZ_EDITS'] ?? 2000);
/** every this many edits the edited document is compared with a freshly opened twin */
const COMPARE_EVERY = 50;

/** A diagnostic as the comparison sees it (the twin's URI differs, so related information is left out). */
const key = (d: Diagnostic): string => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${d.message}`;

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start({ debounceMs: 0 });
});
afterAll(async () => {
  await client?.stop();
});

describe('fuzz', () => {
  it(`survives ${EDITS} random edits, answering every request, equal to a fresh document`, async () => {
    const specs = exampleSpecs().filter((f) => statSync(f).isFile());
    const rnd = mulberry32(20251124);
    const crashes: string[] = [];
    const differences: string[] = [];
    let answered = 0;
    let compared = 0;
    const answer = async <T>(_what: string, p: () => Promise<T>): Promise<T> => {
      const r = await p();
      answered++;
      return r;
    };
    /** Opens the current text under a fresh URI and compares its diagnostics and semantic tokens with the edited one's. */
    const compareWithFresh = async (uri: string, edited: Diagnostic[], at: number): Promise<void> => {
      const text = client.text(uri);
      const twin = `${uri}.fresh${at}.synth`;
      const fresh = await client.open(twin, text);
      const a = edited.map(key).sort();
      const b = fresh.map(key).sort();
      if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`diagnostics after edit ${at}: edited ${JSON.stringify(a)} vs fresh ${JSON.stringify(b)}`);
      const tokens = (u: string) => client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: u } });
      const [ta, tb] = [await tokens(uri), await tokens(twin)];
      if (JSON.stringify(ta.data) !== JSON.stringify(tb.data)) differences.push(`semantic tokens after edit ${at} differ`);
      await client.close(twin);
      compared++;
    };
    const perSpec = Math.ceil(EDITS / specs.length);
    let done = 0;
    for (const spec of specs) {
      const original = readFileSync(spec, 'utf8');
      const uri = uriOf(path.join(path.dirname(spec), `__fuzz_${path.basename(spec)}`));
      await client.open(uri, original);
      for (let i = 0; i < perSpec; i++) {
        const before = client.text(uri);
        const next = i % 100 === 99 ? original : randomEdit(before, rnd);
        // send the edit as an incremental change covering the differing region
        let p = 0;
        while (p < before.length && p < next.length && before[p] === next[p]) p++;
        let s = 0;
        while (s < before.length - p && s < next.length - p && before[before.length - 1 - s] === next[next.length - 1 - s]) s++;
        const ds = await answer(`diagnostics after edit ${done}`, () => client.edit(uri, p, before.length - s, next.slice(p, next.length - s)));
        // a check that crashed is reported as SYN9001 rather than failing the request: none may
        for (const d of ds) if (d.code === 'SYN9001') crashes.push(`edit ${done}: ${d.message}`);
        const at = Math.floor(rnd() * (next.length + 1));
        await answer(`completion ${done}`, () => client.request('textDocument/completion', client.at(uri, at)));
        await answer(`hover ${done}`, () => client.request('textDocument/hover', client.at(uri, Math.floor(rnd() * (next.length + 1)))));
        if (i % 25 === 0) await answer(`semantic tokens ${done}`, () => client.request('textDocument/semanticTokens/full', { textDocument: { uri } }));
        if (i % COMPARE_EVERY === COMPARE_EVERY - 1 || i === perSpec - 1) await compareWithFresh(uri, ds, done);
        done++;
      }
    }
    expect(client.alive).toBe(true);
    expect(done).toBeGreaterThanOrEqual(EDITS);
    expect(answered).toBeGreaterThanOrEqual(EDITS * 3);
    expect(compared).toBeGreaterThanOrEqual(Math.floor(EDITS / COMPARE_EVERY));
    expect(client.stderr).not.toMatch(/failed:/);
    expect(crashes).toEqual([]);
    expect(differences).toEqual([]);
  });
});
