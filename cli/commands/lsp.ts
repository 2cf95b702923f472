// `synth lsp --stdio`: the language server (lsp/server.ts) over stdin/stdout. `createConnection` reads the
// transport from argv (--stdio, --node-ipc, --socket=N), so the flag is passed through unchanged.
import type { Command } from 'commander';

/** Adds `synth lsp` to `program`: starts the language server on the transport its flags name. */
export function registerLsp(program: Command): void {
  program
    .command('lsp')
    .description('run the language server (for editors)')
    .option('--stdio', 'talk LSP over stdin/stdout')
    .option('--node-ipc', 'talk LSP over Node IPC')
    .option('--socket <port>', 'talk LSP over a socket')
    .action(async () => {
      const { createConnection, ProposedFeatures } = await import('vscode-languageserver/node');
      const { startServer } = await import('../../lsp/server.js');
      startServer(createConnection(ProposedFeatures.all));
    });
}
