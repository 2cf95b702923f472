// The Synth language server: connection wiring only. Every feature is a plain function
// `(analysis, params) → result` in its own file; this module routes requests to them.
//
// Invariants:
//  - every handler is guarded: an exception answers that one request with an error (and is logged); it never
//    takes the server down;
//  - a request is answered for the text it was asked about: handlers analyse the current version on demand;
//  - published diagnostics are debounced; a newer edit cancels a pending publication, and diagnostics computed
//    for an outdated version are never published.
import {
  CodeActionKind,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parserWarmUpSteps } from '../grammar/parse.js';
import { codeActions } from './code-actions.js';
import { completion } from './completion.js';
import { previewPrompt, showPlan, showWgsl } from './custom-requests.js';
import { Requests, type DeclParams } from './protocol.js';
import { definition } from './definition.js';
import { documentDiagnostics } from './diagnostics.js';
import { foldingRanges } from './folding.js';
import { formatting } from './formatting.js';
import { hover } from './hover.js';
import { inlayHints } from './inlay-hints.js';
import { references } from './references.js';
import { prepareRename, rename } from './rename.js';
import { SEMANTIC_TOKENS_LEGEND, semanticTokensRangeData, TokenResults } from './semantic-tokens.js';
import { signatureHelp } from './signature-help.js';
import { documentSymbols, workspaceSymbols } from './symbols.js';
import { Workspace, type Analysis } from './workspace.js';

export interface ServerOptions {
  debounceMs?: number;
}

/**
 * Serves the Synth language on `connection`: declares the capabilities, routes every request through the guard
 * (a failing handler answers InternalError, the server stays up) and publishes diagnostics `debounceMs` after the
 * last edit (default 150). Returns the workspace it keeps (tests read it).
 */
export function startServer(connection: Connection, options: ServerOptions = {}): Workspace {
  const documents = new TextDocuments(TextDocument);
  const workspace = new Workspace({ debounceMs: options.debounceMs ?? 150 });
  const timers = new Map<string, NodeJS.Timeout>();
  const tokenResults = new TokenResults();

  const log = (msg: string) => {
    try {
      connection.console.error(msg);
    } catch {
      // the connection may be gone
    }
  };

  /** Runs a request handler; a thrown error answers this request with an error instead of crashing. */
  function guard<P, R>(name: string, fn: (params: P, token: CancellationToken) => R) {
    return (params: P, token: CancellationToken): R | ResponseError<void> => {
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name}: cancelled`);
      try {
        return fn(params, token);
      } catch (err) {
        if (err instanceof ResponseError) return err as ResponseError<void>;
        const e = err instanceof Error ? err : new Error(String(err));
        log(`synth: ${name} failed: ${e.stack ?? e.message}`);
        return new ResponseError(ErrorCodes.InternalError, `${name} failed: ${e.message}`);
      }
    };
  }

  /** A request about one document: analyse it (current version) and call the feature. */
  function onDoc<P extends { textDocument: { uri: string } }, R>(name: string, fn: (a: Analysis, params: P) => R, empty: R) {
    return guard<P, R>(name, (params) => {
      const a = workspace.analyze(params.textDocument.uri);
      return a ? fn(a, params) : empty;
    });
  }

  function publish(uri: string): void {
    timers.delete(uri);
    try {
      const doc = workspace.get(uri);
      if (!doc) return;
      const version = doc.version;
      const a = workspace.analyze(uri);
      if (!a || workspace.get(uri)?.version !== version) return; // a newer edit arrived: its own publication follows
      void connection.sendDiagnostics({ uri, version, diagnostics: documentDiagnostics(a) });
    } catch (err) {
      log(`synth: diagnostics failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  function schedule(uri: string, delay = workspace.options.debounceMs): void {
    const prev = timers.get(uri);
    if (prev) clearTimeout(prev);
    if (delay <= 0) {
      timers.delete(uri);
      setImmediate(() => publish(uri));
      return;
    }
    timers.set(uri, setTimeout(() => publish(uri), delay));
  }

  /** Any change can affect every open document (imports), so all of them are re-published. */
  function scheduleAll(changed: string): void {
    schedule(changed);
    for (const d of workspace.documents()) if (d.uri !== changed) schedule(d.uri, Math.max(workspace.options.debounceMs, 300));
  }

  connection.onInitialize((params): InitializeResult => {
    // What the parser otherwise computes on the first syntax error in each production (up to ~40 ms once each; an
    // edit that hits one would pay it), computed now, before the first document arrives (~80 ms).
    try {
      for (const step of parserWarmUpSteps()) step();
    } catch (err) {
      log(`synth: parser warm-up failed: ${String(err)}`);
    }
    const init = (params.initializationOptions ?? {}) as { debounceMs?: number };
    if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) workspace.options.debounceMs = init.debounceMs;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['.', '{', '@', '~', '('], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: { delta: true }, range: true },
        foldingRangeProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [','] },
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
      },
      serverInfo: { name: 'synth-lsp', version: '0.1.0' },
    };
  });

  documents.onDidOpen((e) => {
    try {
      workspace.open(e.document.uri, e.document.getText(), e.document.version);
      scheduleAll(e.document.uri);
    } catch (err) {
      log(`synth: open failed: ${String(err)}`);
    }
  });
  documents.onDidChangeContent((e) => {
    try {
      workspace.update(e.document.uri, e.document.getText(), e.document.version);
      scheduleAll(e.document.uri);
    } catch (err) {
      log(`synth: change failed: ${String(err)}`);
    }
  });
  documents.onDidClose((e) => {
    try {
      const t = timers.get(e.document.uri);
      if (t) clearTimeout(t);
      timers.delete(e.document.uri);
      workspace.close(e.document.uri);
      tokenResults.forget(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
      for (const d of workspace.documents()) schedule(d.uri);
    } catch (err) {
      log(`synth: close failed: ${String(err)}`);
    }
  });
  connection.onDidChangeWatchedFiles(() => {
    try {
      workspace.filesChanged();
      for (const d of workspace.documents()) schedule(d.uri);
    } catch (err) {
      log(`synth: watched files failed: ${String(err)}`);
    }
  });

  connection.onCompletion(onDoc('completion', completion, null));
  connection.onHover(onDoc('hover', hover, null));
  connection.onDefinition(onDoc('definition', definition, null));
  connection.onReferences(onDoc('references', references, null));
  connection.onPrepareRename(onDoc('prepareRename', prepareRename, null));
  connection.onRenameRequest(onDoc('rename', rename, null));
  connection.onDocumentSymbol(onDoc('documentSymbol', documentSymbols, []));
  connection.onWorkspaceSymbol(guard('workspaceSymbol', (params) => workspaceSymbols(workspace, params)));
  connection.languages.semanticTokens.on(onDoc('semanticTokens', (a) => tokenResults.full(a), { data: [] }));
  connection.languages.semanticTokens.onDelta(onDoc('semanticTokensDelta', (a, p) => tokenResults.delta(a, p.previousResultId), { data: [] }));
  connection.languages.semanticTokens.onRange(onDoc('semanticTokensRange', (a, p) => ({ data: semanticTokensRangeData(a, p.range) }), { data: [] }));
  connection.onFoldingRanges(onDoc('foldingRange', foldingRanges, []));
  connection.onSignatureHelp(onDoc('signatureHelp', signatureHelp, null));
  connection.onDocumentFormatting(onDoc('formatting', formatting, []));
  connection.onCodeAction(onDoc('codeAction', codeActions, []));
  connection.languages.inlayHint.on(onDoc('inlayHint', inlayHints, []));

  const custom = <R>(name: string, fn: (a: Analysis, p: DeclParams) => R) =>
    guard<DeclParams, R | null>(name, (params) => {
      const a = workspace.analyze(params.uri);
      return a ? fn(a, params) : null;
    });
  connection.onRequest(Requests.previewPrompt, custom('previewPrompt', previewPrompt));
  connection.onRequest(Requests.showWgsl, custom('showWgsl', showWgsl));
  connection.onRequest(Requests.showPlan, custom('showPlan', showPlan));

  documents.listen(connection);
  connection.listen();
  return workspace;
}
