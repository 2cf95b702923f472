// How the extension runs the `synth` command line (Run dataset, Dry run). No `vscode` import: unit-tested.
import * as path from 'node:path';

export interface CliInvocation {
  command: string;
  args: string[];
  /** Extra environment (ELECTRON_RUN_AS_NODE when a .js file runs on VS Code's own Node). */
  env: Record<string, string>;
}

export interface ResolveOptions {
  /** The `synth.cli.path` setting ('' = automatic). */
  setting: string;
  /** Workspace folder paths, the one holding the file first. */
  folders: string[];
  /** The Node executable to run `.js` entry points with (the extension host's own). */
  execPath: string;
  exists(file: string): boolean;
  readFile(file: string): string | undefined;
}

/** The command that starts `synth`, before its own arguments. */
export function resolveCli(o: ResolveOptions): CliInvocation {
  const asCommand = (file: string): CliInvocation =>
    /\.[cm]?js$/.test(file)
      ? { command: o.execPath, args: [file], env: { ELECTRON_RUN_AS_NODE: '1' } }
      : { command: file, args: [], env: {} };
  if (o.setting.trim()) {
    const p = o.setting.trim();
    const file = path.isAbsolute(p) || !p.includes('/') ? p : path.resolve(o.folders[0] ?? '.', p);
    return asCommand(file);
  }
  for (const folder of o.folders) {
    const bin = path.join(folder, 'node_modules', '.bin', 'synth');
    if (o.exists(bin)) return asCommand(bin);
    // the Synth repository itself: its built CLI
    const pkg = o.readFile(path.join(folder, 'package.json'));
    const main = path.join(folder, 'dist', 'cli', 'main.js');
    if (pkg && /"name"\s*:\s*"synth-lang"/.test(pkg) && o.exists(main)) return asCommand(main);
  }
  return asCommand('synth');
}

/** `synth run FILE --dataset NAME [--dry-run] [extra...]` */
export function runArguments(file: string, dataset: string, dryRun: boolean, extra: readonly string[] = []): string[] {
  return ['run', file, '--dataset', dataset, ...(dryRun ? ['--dry-run'] : []), ...extra];
}

/** A shell-like rendering of a command line for the output channel. */
export function displayCommand(command: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [command, ...args].map(quote).join(' ');
}
