// Semantic tokens are computed per top-level segment and cached (lsp/semantic-tokens.ts); the server answers full,
// delta and range requests. Whatever the edit history, the tokens must equal those of a fresh server on the same
// text, a delta applied to the previous result must give the full result, and a range must give the full
// result's tokens on its lines.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { semanticTokensData, TokenResults } from '../../lsp/semantic-tokens.js';
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

  it('a CRLF document has the same tokens at the same lines and columns as its LF twin', () => {
    const lf = longSpec();
    const crlf = lf.replace(/\n/g, '\r\n');
    const tokens = (text: string, name: string) => {
      const ws = new Workspace({ debounceMs: 0 });
      const uri = pathToFileURL(path.join(ROOT, `test/lsp/${name}.synth`)).href;
      ws.open(uri, text, 1);
      return Array.from(semanticTokensData(ws.analyze(uri)!));
    };
    const want = tokens(lf, '__lf');
    expect(want.length).toBeGreaterThan(1000);
    expect(tokens(crlf, '__crlf')).toEqual(want);
  });

  it('deltas (computed per segment) applied to the previous tokens give the full tokens, after every edit', () => {
    const original = longSpec();
    const uri = pathToFileURL(path.join(ROOT, 'test/lsp/__tokens_delta.synth')).href;
    const ws = new Workspace({ debounceMs: 0 });
    ws.open(uri, original, 1);
    const results = new TokenResults();
    const first = results.full(ws.analyze(uri)!);
    let held = first.data;
    let id = first.resultId!;
    let version = 1;
    let sent = 0;
    let step = 0;
    for (const text of editSession(original, 400, mulberry32(8))) {
      ws.update(uri, text, ++version);
      const a = ws.analyze(uri)!;
      const r = results.delta(a, id);
      expect(r).toHaveProperty('edits');
      const edits = (r as SemanticTokensDelta).edits;
      held = applyEdits(held, edits);
      for (const e of edits) sent += e.data?.length ?? 0;
      id = r.resultId!;
      const want = Array.from(semanticTokensData(a));
      if (held.join() !== want.join()) expect({ step, text }).toBeUndefined();
      step++;
    }
    // an edit sends its segments' tokens, not the document's (here ~20 declarations: a fifth)
    expect(sent / step).toBeLessThan(held.length / 4);
  });

  it('edits in several places between two requests: one edit per changed stretch, the tokens between them not sent', () => {
    const original = longSpec();
    const uri = pathToFileURL(path.join(ROOT, 'test/lsp/__tokens_multi.synth')).href;
    const ws = new Workspace({ debounceMs: 0 });
    ws.open(uri, original, 1);
    const results = new TokenResults();
    const first = results.full(ws.analyze(uri)!);
    let held = first.data;
    let id = first.resultId!;
    let version = 1;
    const rnd = mulberry32(31);
    let requests = 0;
    let multi = 0;
    for (const text of editSession(original, 600, mulberry32(17))) {
      ws.update(uri, text, ++version);
      const a = ws.analyze(uri)!;
      if (rnd() < 0.75) continue; // about four edits, anywhere, between two requests
      const r = results.delta(a, id);
      expect(r).toHaveProperty('edits');
      const edits = (r as SemanticTokensDelta).edits;
      if (edits.length > 1) multi++;
      held = applyEdits(held, edits);
      id = r.resultId!;
      const want = Array.from(semanticTokensData(a));
      if (held.join() !== want.join()) expect({ requests, text }).toBeUndefined();
      requests++;
    }
    expect(requests).toBeGreaterThan(50);
    expect(multi).toBeGreaterThan(0);

    // two edits far apart: two edits, and the declarations between them are not sent again
    const synced = results.delta(ws.analyze(uri)!, id) as SemanticTokensDelta;
    held = applyEdits(held, synced.edits);
    id = synced.resultId!;
    const text = ws.get(uri)!.text;
    const lines = text.split('\n');
    const at = (line: number) => lines.slice(0, line).join('\n').length + 1;
    const a1 = at(Math.floor(lines.length * 0.2));
    const a2 = at(Math.floor(lines.length * 0.8));
    const edited = text.slice(0, a1) + '// one\n' + text.slice(a1, a2) + '// two\n' + text.slice(a2);
    ws.update(uri, edited, ++version);
    const r = results.delta(ws.analyze(uri)!, id) as SemanticTokensDelta;
    expect(r.edits.length).toBe(2);
    const sent = r.edits.reduce((n, e) => n + (e.data?.length ?? 0), 0);
    expect(sent).toBeLessThan(held.length / 10);
    expect(applyEdits(held, r.edits).join()).toBe(Array.from(semanticTokensData(ws.analyze(uri)!)).join());
  });
});

/** Applies LSP semantic-token edits as VS Code does: they must be ascending by start and disjoint; applied from the last. */
function applyEdits(held: number[], edits: ReadonlyArray<{ start: number; deleteCount: number; data?: number[] }>): number[] {
  for (let e = 1; e < edits.length; e++) expect(edits[e]!.start).toBeGreaterThanOrEqual(edits[e - 1]!.start + edits[e - 1]!.deleteCount);
  const out = [...held];
  for (let e = edits.length - 1; e >= 0; e--) out.splice(edits[e]!.start, edits[e]!.deleteCount, ...(edits[e]!.data ?? []));
  return out;
}

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
    for (const text of editSession(original, 120, mulberry32(123))) {
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
