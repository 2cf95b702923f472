// Fixtures and expectations for tests of the language server over stdio (test/lsp/support/client.ts), like
// Langium's `expectCompletion`/`expectHover`: a fixture is spec text with a `<|>` cursor marker, opened as a fresh
// document (a new file name each time, so documents never share state) in a folder whose imports and sources
// it may use; the request goes to the real server at the cursor.
import * as path from 'node:path';
import { expect } from 'vitest';
import type { CompletionList, Hover } from 'vscode-languageserver-protocol';
import { cursor, type CursorText } from '../../support/cursor.js';
import { ROOT } from '../../support/examples.js';
import { uriOf, type LspClient } from './client.js';

let n = 0;

/** Opens `withMarker` (a `<|>` marker optional) as a fresh document in `dir` (default examples/tickets). */
export async function openFixture(client: LspClient, withMarker: string, dir = path.join(ROOT, 'examples/tickets')): Promise<{ uri: string; c: CursorText }> {
  const c = withMarker.includes('<|>') ? cursor(withMarker) : { text: withMarker, offset: 0, position: { line: 0, character: 0 } };
  const uri = uriOf(path.join(dir, `__fixture_${process.pid}_${n++}.synth`));
  await client.open(uri, c.text);
  return { uri, c };
}

/** The labels the server completes at the `<|>` marker of a fresh fixture. */
export async function completionLabels(client: LspClient, withMarker: string, dir?: string): Promise<string[]> {
  const { uri, c } = await openFixture(client, withMarker, dir);
  const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: c.position });
  return r.items.map((i) => i.label);
}

/** The server's hover text at the `<|>` marker of a fresh fixture ('' when there is none). */
export async function hoverAt(client: LspClient, withMarker: string, dir?: string): Promise<string> {
  const { uri, c } = await openFixture(client, withMarker, dir);
  const r = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: c.position });
  return r ? (r.contents as { value: string }).value : '';
}

/** Asserts the completions at the marker: `exactly` these labels in order, or `includes` all and `excludes` none. */
export async function expectCompletion(client: LspClient, withMarker: string, expected: { exactly?: string[]; includes?: string[]; excludes?: string[] }, dir?: string): Promise<string[]> {
  const labels = await completionLabels(client, withMarker, dir);
  if (expected.exactly) expect(labels).toEqual(expected.exactly);
  if (expected.includes) expect(labels).toEqual(expect.arrayContaining(expected.includes));
  for (const x of expected.excludes ?? []) expect(labels).not.toContain(x);
  return labels;
}

/** Asserts the hover at the marker contains `expected` (a string) or matches it (a RegExp); returns the text. */
export async function expectHover(client: LspClient, withMarker: string, expected: string | RegExp, dir?: string): Promise<string> {
  const h = await hoverAt(client, withMarker, dir);
  if (typeof expected === 'string') expect(h).toContain(expected);
  else expect(h).toMatch(expected);
  return h;
}
