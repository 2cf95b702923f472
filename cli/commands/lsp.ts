// `synth lsp --stdio`: the language server (lsp/server.ts) for editors, over the transport its flag names:
// --stdio (what editors use), --node-ipc, --socket PORT or --pipe NAME. Without one (or with several) it says
// so as SYN4109 and exits 1, instead of vscode-languageserver's stack trace.
import { synthError } from '../../base/diagnostics.js';
import type { SynthCommand } from '../command.js';
import { port } from '../options.js';
import type { Exit } from '../errors.js';

interface LspFlags {
  stdio?: boolean;
  nodeIpc?: boolean;
  socket?: number;
  pipe?: string;
}

/** Adds `synth lsp` to `program`: starts the language server on the one transport its flags name. */
export function registerLsp(program: SynthCommand, exit: Exit): void {
  program
    .command('lsp')
    .description('run the language server (for editors)')
    .option('--stdio', 'talk LSP over stdin/stdout')
    .option('--node-ipc', 'talk LSP over Node IPC')
    .option('--socket <port>', 'talk LSP over a socket on this port', port('--socket'))
    .option('--pipe <name>', 'talk LSP over this named pipe')
    .action((flags: LspFlags) => exit(() => startLsp(flags)));
}

/** Starts the server; resolves with 0 once it is listening (the connection keeps the process alive). */
async function startLsp(flags: LspFlags): Promise<number> {
  const given = [flags.stdio && '--stdio', flags.nodeIpc && '--node-ipc', flags.socket !== undefined && '--socket', flags.pipe !== undefined && '--pipe'].filter(Boolean);
  if (given.length !== 1) throw synthError('SYN4109', { given: given.length ? ` (given: ${given.join(', ')})` : '' });
  const node = await import('vscode-languageserver/node');
  const { startServer } = await import('../../lsp/server.js');
  const features = node.ProposedFeatures.all;
  if (flags.stdio) startServer(node.createConnection(features, process.stdin, process.stdout));
  else if (flags.nodeIpc) startServer(node.createConnection(features, new node.IPCMessageReader(process), new node.IPCMessageWriter(process)));
  else {
    const [reader, writer] = flags.socket !== undefined ? node.createServerSocketTransport(flags.socket) : node.createServerPipeTransport(flags.pipe!);
    startServer(node.createConnection(features, reader, writer));
  }
  return 0;
}
