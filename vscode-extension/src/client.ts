// Starts the bundled language server (dist/server.js) over stdio and waits for the initialize handshake.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // The client appends `--stdio`; the server is the same one `synth lsp --stdio` starts.
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'synth' },
      { scheme: 'untitled', language: 'synth' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.synth') },
    outputChannelName: 'Synth Language Server',
  };
  return new LanguageClient('synth', 'Synth Language Server', serverOptions, clientOptions);
}
