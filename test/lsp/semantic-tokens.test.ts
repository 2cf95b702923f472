// Semantic tokens are computed per top-level segment and cached (lsp/semantic-tokens.ts); the server answers full,
// delta and range requests. Whatever the edit history, the tokens must equal those of a fresh server on the same
// text, a delta applied to the previous result must give the full result, and a range must give the full
// result's tokens on its lines.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffTokens, semanticTokensData } from '../../lsp/semantic-tokens.js';
import { Workspace } from '../../lsp/workspace.js';
import { exampleSpecs, ROOT } from '../support/examples.js';
import { mulberry32 } from '../support/prng.js';
import { LspClient, uriOf } from './support/client.js';
import { editSession } from './support/edits.js';

/** The examples, one after the other (imports dropped: one document, many declarations). */
function longSpec(): string {
  return exampleSpecs()
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'utf8').replace(/^import .*$/gm, ''))
    .join('\n');
}

/** Decoded tokens: absolute line, character, length, type, modifiers. */
function decode(data: ArrayLike<number>): Array<[number, number, number, number, number]> {
  const out: Array<[number, number, number, number, number]> = [];
  let line = 0;
  let ch = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i]!;
    ch = data[i] === 0 ? ch + data[i + 1]! : data[i + 1]!;
    out.push([line, ch, data[i + 2]!, data[i + 3]!, data[i + 4]!]);
  }
  return out;
}

describe('semantic tokens, in process', () => {
  it('cached per segment, equal to a fresh computation after every edit of undo-heavy sessions', () => {
    const original = longSpec();
    const uri = pathToFileURL(path.join(ROOT, 'test/lsp/__tokens.synth')).href;
    const ws = new Workspace({ debounceMs: 0 });
    ws.open(uri, original, 1);
    let version = 1;
    let step = 0;
    for (const text of editSession(original, 250, mulberry32(99))) {
      ws.update(uri, text, ++version);
      const got = Array.from(semanticTokensData(ws.analyze(uri)!));
      const fresh = new Workspace({ debounceMs: 0 });
      fresh.open(uri, text, 1);
      const want = Array.from(semanticTokensData(fresh.analyze(uri)!));
      if (got.join() !== want.join()) {
        let i = 0;
        while (got[i] === want[i]) i++;
        expect({ step, text, at: i, got: got.slice(i - (i % 5), i - (i % 5) + 10), want: want.slice(i - (i % 5), i - (i % 5) + 10) }).toBeUndefined();
      }
      step++;
    }
  });

  it('a delta turns the previous data into the new (whole tokens), on random arrays', () => {
    const rnd = mulberry32(5);
    const apply = (old: number[], edits: NonNullable<SemanticTokensDelta['edits']>) => {
      const out = [...old];
      for (const e of [...edits].sort((x, y) => y.start - x.start)) out.splice(e.start, e.deleteCount, ...(e.data ?? []));
      return out;
    };
    for (let i = 0; i < 500; i++) {
      const tokens = (n: number) => Array.from({ length: n * 5 }, () => Math.floor(rnd() * 4));
      const old = tokens(Math.floor(rnd() * 30));
      // the new array: the old with a run replaced, or unrelated
      const cut = Math.floor(rnd() * (old.length / 5 + 1)) * 5;
      const now = rnd() < 0.8 ? [...old.slice(0, cut), ...tokens(Math.floor(rnd() * 4)), ...old.slice(cut + Math.floor(rnd() * 3) * 5)] : tokens(Math.floor(rnd() * 30));
      const edits = diffTokens(old, now)!;
      expect(apply(old, edits)).toEqual(now);
      expect(edits.length).toBeLessThanOrEqual(1);
      for (const e of edits) expect([e.start % 5, e.deleteCount % 5, (e.data ?? []).length % 5]).toEqual([0, 0, 0]);
      if (old.join() === now.join()) expect(edits).toEqual([]);
    }
  });
});

describe('semantic tokens, through the server', () => {
  let client: LspClient;
  let fresh: LspClient;
  beforeAll(async () => {
    client = await LspClient.start({ debounceMs: 0 });
    fresh = await LspClient.start({ debounceMs: 0 });
  });
  afterAll(async () => {
    await client?.stop();
    await fresh?.stop();
  });

  it('offers full with delta, and range', () => {
    expect(client.capabilities['semanticTokensProvider']).toMatchObject({ full: { delta: true }, range: true });
  });

  it('deltas applied by the client equal the full tokens, and ranges their lines, after every edit', async () => {
    const original = longSpec();
    const uri = uriOf(path.join(ROOT, 'test/lsp/__delta.synth'));
    await client.open(uri, original);
    const textDocument = { uri };
    const first = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument });
    let held = first.data;
    let resultId = first.resultId!;
    expect(resultId).toBeTruthy();
    const rnd = mulberry32(3);
    let deltas = 0;
    let step = 0;
    for (const text of editSession(original, 60, mulberry32(123))) {
      const before = client.text(uri);
      let p = 0;
      while (p < before.length && p < text.length && before[p] === text[p]) p++;
      let s = 0;
      while (s < before.length - p && s < text.length - p && before[before.length - 1 - s] === text[text.length - 1 - s]) s++;
      await client.edit(uri, p, before.length - s, text.slice(p, text.length - s));
      const r = await client.request<SemanticTokens | SemanticTokensDelta>('textDocument/semanticTokens/full/delta', { textDocument, previousResultId: resultId });
      if ('edits' in r) {
        deltas++;
        const out = [...held];
        for (const e of [...r.edits].sort((x, y) => y.start - x.start)) out.splice(e.start, e.deleteCount, ...(e.data ?? []));
        held = out;
      } else held = r.data;
      resultId = r.resultId!;
      // the same text in a server that never saw the edits
      const furi = uriOf(path.join(ROOT, `test/lsp/__delta_fresh_${step}.synth`));
      await fresh.open(furi, text);
      const want = await fresh.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: furi } });
      if (held.join() !== want.data.join()) expect({ step, text, held: held.length, want: want.data.length }).toBeUndefined();
      await fresh.close(furi);
      // a range: the tokens of its lines, encoded from the document start
      const lines = text.split('\n').length;
      const from = Math.floor(rnd() * lines);
      const to = Math.min(lines - 1, from + Math.floor(rnd() * 60));
      const range = await client.request<SemanticTokens>('textDocument/semanticTokens/range', { textDocument, range: { start: { line: from, character: 0 }, end: { line: to, character: 0 } } });
      expect(decode(range.data)).toEqual(decode(want.data).filter(([line]) => line >= from && line <= to));
      step++;
    }
    // the server answered with deltas (a stale result id gets full tokens; none here)
    expect(deltas).toBe(step);
    // a result id that is not the last one sent gets full tokens
    const stale = await client.request<SemanticTokens | SemanticTokensDelta>('textDocument/semanticTokens/full/delta', { textDocument, previousResultId: first.resultId });
    expect('data' in stale && stale.data.join()).toBe(held.join());
  });
});
