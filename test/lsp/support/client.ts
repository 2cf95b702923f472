// A JSON-RPC client that drives the real language server over stdio, like an editor does.
// The server runs from source (`node --import tsx lsp/server-main.ts --stdio`) unless SYNTH_LSP_DIST=1, when
// it runs the built CLI (`node dist/cli/main.js lsp --stdio`).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, Position, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { positionAt } from '../../support/cursor.js';
import { ROOT } from '../../support/examples.js';

// cursor markers live in test/support/cursor.ts, shared with the in-process helpers (test/support/synth.ts)
export { cursor, positionAt, type CursorText } from '../../support/cursor.js';

export function uriOf(p: string): string {
  return pathToFileURL(path.resolve(p)).href;
}

export class LspClient {
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private waiters: Array<{ uri: string; version: number; resolve: (d: Diagnostic[]) => void }> = [];
  stderr = '';
  /** what the server said it can do (initialize) */
  capabilities: Record<string, unknown> = {};

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
  ) {
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.latest.set(p.uri, p);
      const ready = this.waiters.filter((w) => w.uri === p.uri && (p.version ?? 0) >= w.version);
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(p.diagnostics);
    });
    conn.onNotification('window/logMessage', () => {});
  }

  static async start(opts: { debounceMs?: number } = {}): Promise<LspClient> {
    const dist = process.env['SYNTH_LSP_DIST'] === '1';
    const args = dist ? [path.join(ROOT, 'dist/cli/main.js'), 'lsp', '--stdio'] : ['--import', 'tsx', path.join(ROOT, 'lsp/server-main.ts'), '--stdio'];
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient(proc, conn);
    proc.stderr!.on('data', (d: Buffer) => (client.stderr += d.toString()));
    conn.listen();
    const init = (await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(ROOT),
      capabilities: {},
      initializationOptions: { debounceMs: opts.debounceMs ?? 0 },
    })) as { capabilities: Record<string, unknown> };
    client.capabilities = init.capabilities;
    await conn.sendNotification('initialized', {});
    return client;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && !this.proc.killed;
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  /** Opens a document and resolves with its first diagnostics. */
  open(uri: string, text: string): Promise<Diagnostic[]> {
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    const p = this.nextDiagnostics(uri);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'synth', version: 1, text } });
    return p;
  }

  /** Closes a document (its diagnostics are cleared). */
  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    this.texts.delete(uri);
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Replaces `[start, end)` with `newText` as an incremental change; resolves with the diagnostics after it. */
  edit(uri: string, start: number, end: number, newText: string): Promise<Diagnostic[]> {
    const old = this.text(uri);
    // An LSP position cannot point between the `\r` and `\n` of a line break (the server's TextDocument moves
    // it before the `\r`): a range ending there is widened over the whole break, which the new text restores.
    const inBreak = (k: number) => k > 0 && old[k - 1] === '\r' && old[k] === '\n';
    if (inBreak(start)) {
      newText = '\r' + newText;
      start--;
    }
    if (inBreak(end)) {
      newText = newText + '\n';
      end++;
    }
    const change: TextDocumentContentChangeEvent = { range: { start: positionAt(old, start), end: positionAt(old, end) }, text: newText };
    this.texts.set(uri, old.slice(0, start) + newText + old.slice(end));
    return this.change(uri, [change]);
  }

  /** Replaces the whole text. */
  replace(uri: string, text: string): Promise<Diagnostic[]> {
    this.texts.set(uri, text);
    return this.change(uri, [{ text }]);
  }

  private change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const p = this.nextDiagnostics(uri);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return p;
  }

  nextDiagnostics(uri: string): Promise<Diagnostic[]> {
    const version = this.versions.get(uri) ?? 1;
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  at(uri: string, offset: number): { textDocument: { uri: string }; position: Position } {
    return { textDocument: { uri }, position: positionAt(this.text(uri), offset) };
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    this.conn.dispose();
    this.proc.kill();
  }
}
