// The language server as the LSP benchmarks drive it: the real server over stdio (from dist/ after
// `npm run build`, else through tsx), an initialized JSON-RPC connection, and a wait for the diagnostics of a
// given document version. One start-up for bench/lsp/run.ts and bench/lsp/stress.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
/** The repository root, whether the benchmark runs from bench/ (tsx) or dist/bench/ (built). */
export const ROOT = path.resolve(here, fromDist ? '../../..' : '../..');

/** `--name N` from the command line as a number, or `def`. */
export function numberArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

/** Offsets of each line's first character in `text` (line 0 at 0), for offset → LSP position. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** The LSP position (0-based line, UTF-16 character) of `offset`, given `lineStarts(text)`. */
export function positionIn(starts: readonly number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}

export interface BenchServer {
  conn: MessageConnection;
  proc: ChildProcess;
  /** the server's `initialize` result */
  init: { capabilities: Record<string, unknown> };
  /** resolves with performance.now() when diagnostics for document `version` are published */
  diagnosticsFor(version: number): Promise<number>;
  /** shutdown + exit, then the process is gone */
  stop(): Promise<void>;
}

/**
 * Starts the server with debounce 0 (diagnostics as soon as an edit is analysed) and initializes it with the
 * client `capabilities`. `extraNodeArgs` go before the server's script (e.g. `--cpu-prof`).
 */
export async function startServer(capabilities: Record<string, unknown> = {}, extraNodeArgs: string[] = []): Promise<BenchServer> {
  const args = fromDist ? [path.join(ROOT, 'dist/cli/main.js'), 'lsp', '--stdio'] : ['--import', 'tsx', path.join(ROOT, 'lsp/server-main.ts'), '--stdio'];
  const proc = spawn(process.execPath, [...extraNodeArgs, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const waiting = new Map<number, (t: number) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { version?: number }) => {
    const w = waiting.get(p.version ?? -1);
    if (w) {
      waiting.delete(p.version ?? -1);
      w(performance.now());
    }
  });
  conn.listen();
  const init = (await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(ROOT).href,
    capabilities,
    initializationOptions: { debounceMs: 0 },
  })) as BenchServer['init'];
  await conn.sendNotification('initialized', {});
  return {
    conn,
    proc,
    init,
    diagnosticsFor: (v) => new Promise<number>((resolve) => waiting.set(v, resolve)),
    async stop() {
      await conn.sendRequest('shutdown');
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      await conn.sendNotification('exit'); // written before the stream is closed (else the write fails after the results are printed)
      // the server exits on its own (a --cpu-prof profile is written then); killed if it does not
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      conn.dispose();
      proc.kill();
    },
  };
}
