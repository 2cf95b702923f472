// Runs code-server (VS Code in the browser, installed on demand by scripts/install-code-server.sh) with the
// packaged extension, for the end-to-end test. Everything it writes goes to a temporary folder (HOME, XDG dirs,
// user data, extensions); every process it starts is stopped by its id (the process group it leads).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './textmate.js';

const run = promisify(execFile);

/** Installs code-server if needed (cached in .cache/code-server/) and returns its executable. */
export async function ensureCodeServer(): Promise<string> {
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/install-code-server.sh')], {
    cwd: ROOT,
    timeout: 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const bin = stdout.trim().split('\n').at(-1)!;
  if (!bin.endsWith('code-server')) throw new Error(`install-code-server.sh printed no executable: ${stdout}`);
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  url: string;
  tmp: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  bin: string;
  vsix: string;
  workspace: string;
  /** User settings (settings.json). */
  settings: Record<string, unknown>;
  /** code-server's output goes here. */
  log: string;
}

export async function startCodeServer(o: StartOptions): Promise<CodeServer> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'synth-code-server-'));
  const home = path.join(tmp, 'home');
  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');
  for (const d of [home, path.join(userData, 'User'), extensions]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(o.settings, null, 2));
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    // the extension's own children (the language server) must not inherit test-runner state
    NODE_OPTIONS: '',
    VSCODE_IPC_HOOK_CLI: '',
  };
  const dirs = ['--user-data-dir', userData, '--extensions-dir', extensions];
  await run(o.bin, [...dirs, '--install-extension', o.vsix, '--force'], { env, timeout: 120_000 });

  const port = await freePort();
  const log = createWriteStream(o.log);
  const child: ChildProcess = spawn(
    o.bin,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...dirs,
      o.workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM'); // the group: code-server, its extension hosts, the language server
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    rmSync(tmp, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${o.log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s; see ${o.log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, tmp, stop };
}
