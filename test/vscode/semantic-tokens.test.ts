// The extension's client library (vscode-languageclient) uses the server's incremental semantic tokens: given the
// capabilities our server announces, its SemanticTokensFeature registers an edits provider (VS Code then asks for
// `textDocument/semanticTokens/full/delta` with the previous result id) and a range provider (the visible lines).
// The feature is the library's own code, run against the real server; only the `vscode` module it registers the
// providers with is a stand-in (VS Code itself is exercised by extension.test.ts, opt-in).
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, uriOf } from '../lsp/support/client.js';
import { ROOT } from '../support/examples.js';

const require = createRequire(import.meta.url);

interface Provider {
  provideDocumentSemanticTokens(doc: { uri: string }, token: unknown): Promise<SemanticTokens>;
  provideDocumentSemanticTokensEdits?(doc: { uri: string }, previousResultId: string, token: unknown): Promise<SemanticTokens | SemanticTokensDelta>;
}
interface RangeProvider {
  provideDocumentRangeSemanticTokens(doc: { uri: string }, range: unknown, token: unknown): Promise<SemanticTokens>;
}

/** The parts of the `vscode` API the feature touches, recording the providers it registers. */
function fakeVscode() {
  class Disposable {
    constructor(private readonly f: () => void = () => {}) {}
    dispose() {
      this.f();
    }
  }
  class EventEmitter {
    event = () => new Disposable();
    fire() {}
    dispose() {}
  }
  const registered: { full?: Provider; range?: RangeProvider } = {};
  return {
    registered,
    module: {
      Disposable,
      EventEmitter,
      CancellationError: class extends Error {},
      workspace: { textDocuments: [] },
      languages: {
        match: () => 1,
        registerDocumentSemanticTokensProvider: (_selector: unknown, p: Provider) => ((registered.full = p), new Disposable()),
        registerDocumentRangeSemanticTokensProvider: (_selector: unknown, p: RangeProvider) => ((registered.range = p), new Disposable()),
      },
    },
  };
}

/** Loads the library's SemanticTokensFeature with `vscode` resolved to the stand-in. */
function loadFeature(vscode: unknown): new (client: unknown) => {
  fillClientCapabilities(c: Record<string, unknown>): void;
  initialize(capabilities: Record<string, unknown>, selector: unknown): void;
} {
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  try {
    return (require('vscode-languageclient/$test/common/semanticTokens') as { SemanticTokensFeature: never }).SemanticTokensFeature;
  } finally {
    Module._load = load;
  }
}

let server: LspClient;
beforeAll(async () => {
  server = await LspClient.start({ debounceMs: 0 });
});
afterAll(async () => {
  await server?.stop();
});

describe('vscode-languageclient with the Synth server', () => {
  it('asks for deltas and ranges, and gets them', async () => {
    const vscode = fakeVscode();
    const Feature = loadFeature(vscode.module);
    const sent: string[] = [];
    const identity = <T>(x: T) => x;
    const client = {
      middleware: {},
      onRequest: () => {},
      sendRequest: (type: { method: string }, params: unknown) => {
        sent.push(type.method);
        return server.request(type.method, params);
      },
      handleFailedRequest: (_t: unknown, _tok: unknown, err: unknown) => {
        throw err;
      },
      protocol2CodeConverter: { asSemanticTokens: identity, asSemanticTokensEdits: identity, asSemanticTokensLegend: identity, asDocumentSelector: identity },
      code2ProtocolConverter: { asTextDocumentIdentifier: (d: { uri: string }) => ({ uri: d.uri }), asRange: identity },
    };
    const feature = new Feature(client);
    // what the client tells servers it supports
    const caps: Record<string, unknown> = {};
    feature.fillClientCapabilities(caps);
    expect(caps).toMatchObject({ textDocument: { semanticTokens: { requests: { range: true, full: { delta: true } } } } });
    // what it registers, given our server's capabilities
    feature.initialize(server.capabilities, [{ language: 'synth' }]);
    expect(vscode.registered.full?.provideDocumentSemanticTokensEdits).toBeTypeOf('function');
    expect(vscode.registered.range).toBeDefined();

    const uri = uriOf(path.join(ROOT, 'test/vscode/__client_tokens.synth'));
    const text = 'enum Tier { free, pro }\nstruct T {\n  tier: Tier\n  note: string\n}\n';
    await server.open(uri, text);
    const doc = { uri };
    const first = await vscode.registered.full!.provideDocumentSemanticTokens(doc, {});
    expect(first.resultId).toBeTruthy();
    await server.edit(uri, text.indexOf('note'), text.indexOf('note') + 4, 'memo');
    const delta = await vscode.registered.full!.provideDocumentSemanticTokensEdits!(doc, first.resultId!, {});
    expect(delta).toHaveProperty('edits');
    expect(sent).toEqual(['textDocument/semanticTokens/full', 'textDocument/semanticTokens/full/delta']);
    // the delta, applied as VS Code applies it, gives the full tokens
    const applied = [...first.data];
    for (const e of (delta as SemanticTokensDelta).edits) applied.splice(e.start, e.deleteCount, ...(e.data ?? []));
    const full = await server.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: doc });
    expect(applied).toEqual(full.data);
    const range = await vscode.registered.range!.provideDocumentRangeSemanticTokens(doc, { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, {});
    expect(sent.at(-1)).toBe('textDocument/semanticTokens/range');
    expect(range.data.length).toBeGreaterThan(0);
    expect(range.data.length).toBeLessThan(full.data.length);
  });
});
