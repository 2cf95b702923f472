// Entry of the bundled language server, vscode-extension/dist/server.js (scripts/build-extension.mjs): the
// client starts it as `node server.js --stdio`. `createConnection` picks the transport from argv (--stdio,
// --node-ipc, --socket=N), like `synth lsp --stdio`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.js';

startServer(createConnection(ProposedFeatures.all));
