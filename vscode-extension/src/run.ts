// Run dataset / Dry run: `synth run FILE --dataset NAME [--dry-run]` as a child process whose output streams
// into the "Synth" output channel. A notification shows progress and cancels the run (SIGINT, like Ctrl-C,
// so the run stops cleanly and can resume).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { displayCommand, resolveCli, runArguments } from './cli.js';

export async function runDataset(output: vscode.OutputChannel, uri: vscode.Uri, name: string, dryRun: boolean): Promise<number | undefined> {
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Synth: save the file before running it.');
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();

  const config = vscode.workspace.getConfiguration('synth', uri);
  const file = uri.fsPath;
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
  const folders = [...(folder ? [folder] : []), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)];
  const cli = resolveCli({
    setting: config.get<string>('cli.path', ''),
    folders,
    execPath: process.execPath,
    exists: existsSync,
    readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined),
  });
  const args = [...cli.args, ...runArguments(file, name, dryRun, config.get<string[]>('run.extraArgs', []))];
  const cwd = folder ?? path.dirname(file);

  output.show(true);
  output.appendLine(`$ ${displayCommand(cli.command === process.execPath ? 'node' : cli.command, args)}`);
  const title = `${dryRun ? 'Dry run' : 'Running'} ${name}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Synth: ${title}`, cancellable: true },
    (_progress, token) =>
      new Promise<number | undefined>((resolve) => {
        const child = spawn(cli.command, args, { cwd, env: { ...process.env, ...cli.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
        const cancel = token.onCancellationRequested(() => child.kill('SIGINT'));
        child.stdout.on('data', (chunk: Buffer) => output.append(chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => output.append(chunk.toString()));
        child.on('error', (err) => {
          output.appendLine(`synth: could not start ${cli.command}: ${err.message} (set "synth.cli.path")`);
          cancel.dispose();
          resolve(undefined);
        });
        child.on('close', (code, signal) => {
          output.appendLine(signal ? `[${title}: stopped by ${signal}]` : `[${title}: exit code ${code}]`);
          cancel.dispose();
          if (code !== 0 && !signal) void vscode.window.showErrorMessage(`Synth: ${title} failed (exit code ${code}); see the Synth output.`);
          resolve(code ?? undefined);
        });
      }),
  );
}
