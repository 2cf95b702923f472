// The Synth extension: starts the language server (diagnostics, completion, hover... all come from it), and
// adds the commands Run dataset / Dry run / Preview prompt / Show WGSL / Show plan with CodeLens above the
// declarations. The server is ready when `client.start()` resolves (initialize handshake); a status bar item
// says so, and the end-to-end test waits for it instead of sleeping.
import * as vscode from 'vscode';
import { type LanguageClient, ResponseError, ErrorCodes } from 'vscode-languageclient/node';
import { createClient } from './client.js';
import { SynthCodeLensProvider } from './codelens.js';
import { declarationAt, findDeclarations, type DeclKind } from './declarations.js';
import { PREVIEW_SCHEME, PreviewDocuments } from './preview.js';
import { asDocumentResult } from './preview-result.js';
import { Commands, Requests, type DeclParams } from '../../lsp/protocol.js';
import { runDataset } from './run.js';

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem | undefined;
let fallbackLenses: vscode.Disposable | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Synth');
  const previews = new PreviewDocuments();
  status = vscode.window.createStatusBarItem('synth.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Synth Language Server';
  context.subscriptions.push(output, previews, status, vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews));

  const request = async (kind: 'prompt' | 'sim' | 'dataset', method: string, label: string, arg: unknown, language: string, suffix: string) => {
    const target = await pickTarget(arg, kind === 'dataset' ? ['dataset', 'sim'] : [kind], label, method === Requests.showPlan);
    if (!target) return;
    if (!client?.isRunning()) {
      void vscode.window.showErrorMessage(`Synth: ${label} needs the language server, which is not running.`);
      return;
    }
    const params: DeclParams = { uri: target.uri.toString(), name: target.name };
    try {
      const result = asDocumentResult(await client.sendRequest(method, params));
      if (!result) {
        void vscode.window.showWarningMessage(`Synth: ${label}: nothing to show for ${target.name || 'this file'}.`);
        return;
      }
      const base = target.name || target.uri.path.split('/').pop()!.replace(/\.synth$/, '');
      await previews.show(result, `${base}${suffix}`, language);
    } catch (err) {
      const message =
        err instanceof ResponseError && err.code === ErrorCodes.MethodNotFound
          ? `the language server does not support ${method} yet`
          : err instanceof Error
            ? err.message
            : String(err);
      void vscode.window.showErrorMessage(`Synth: ${label} failed: ${message}`);
    }
  };

  const run = (dryRun: boolean) => async (arg: unknown) => {
    const target = await pickTarget(arg, ['dataset'], dryRun ? 'Dry run' : 'Run dataset', false);
    if (target) await runDataset(output, target.uri, target.name, dryRun);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.runDataset, run(false)),
    vscode.commands.registerCommand(Commands.dryRun, run(true)),
    vscode.commands.registerCommand(Commands.previewPrompt, (arg: unknown) =>
      request('prompt', Requests.previewPrompt, 'Preview prompt', arg, 'markdown', ' (prompt preview).md'),
    ),
    vscode.commands.registerCommand(Commands.showWgsl, (arg: unknown) => request('sim', Requests.showWgsl, 'Show WGSL', arg, 'wgsl', '.wgsl')),
    vscode.commands.registerCommand(Commands.showPlan, (arg: unknown) => request('dataset', Requests.showPlan, 'Show plan', arg, 'json', ' (plan).json')),
    vscode.commands.registerCommand(Commands.restartServer, async () => {
      await stopClient();
      await startClient(context, output);
    }),
  );

  await startClient(context, output);
}

export async function deactivate(): Promise<void> {
  fallbackLenses?.dispose();
  await stopClient();
}

async function startClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<void> {
  setStatus('starting');
  client = createClient(context);
  try {
    await client.start();
  } catch (err) {
    setStatus('failed');
    output.appendLine(`Synth language server failed to start: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  // CodeLens: the server's when it has them, else the extension's own (same commands, same arguments).
  fallbackLenses?.dispose();
  fallbackLenses = undefined;
  if (!client.initializeResult?.capabilities.codeLensProvider) {
    const provider = new SynthCodeLensProvider();
    fallbackLenses = vscode.Disposable.from(provider, vscode.languages.registerCodeLensProvider({ language: 'synth' }, provider));
  }
  setStatus('ready');
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c?.isRunning()) await c.stop();
}

function setStatus(state: 'starting' | 'ready' | 'failed'): void {
  if (!status) return;
  const text = { starting: '$(sync~spin) Synth', ready: '$(check) Synth', failed: '$(error) Synth' }[state];
  const label = { starting: 'starting', ready: 'ready', failed: 'failed to start' }[state];
  status.text = text;
  status.tooltip = `Synth language server: ${label}`;
  status.accessibilityInformation = { label: `Synth language server: ${label}` };
  status.command = state === 'failed' ? Commands.restartServer : undefined;
  status.show();
}

/** The declaration a command applies to: its CodeLens arguments, else the one under the cursor, else a pick. */
async function pickTarget(arg: unknown, kinds: DeclKind[], label: string, wholeFileAllowed: boolean): Promise<{ uri: vscode.Uri; name: string } | undefined> {
  if (isDeclParams(arg)) return { uri: vscode.Uri.parse(arg.uri), name: arg.name };
  const editor = vscode.window.activeTextEditor;
  let doc = editor?.document;
  if (arg instanceof vscode.Uri) doc = await vscode.workspace.openTextDocument(arg);
  if (!doc || doc.languageId !== 'synth') {
    void vscode.window.showInformationMessage(`Synth: ${label}: open a .synth file first.`);
    return undefined;
  }
  const decls = findDeclarations(doc.getText()).filter((d) => kinds.includes(d.kind) && d.name);
  if (editor && editor.document === doc) {
    const here = declarationAt(decls, doc.offsetAt(editor.selection.active), kinds);
    if (here) return { uri: doc.uri, name: here.name };
  }
  if (wholeFileAllowed) return { uri: doc.uri, name: '' };
  if (decls.length === 1) return { uri: doc.uri, name: decls[0]!.name };
  if (decls.length === 0) {
    void vscode.window.showInformationMessage(`Synth: ${label}: no ${kinds.join(' or ')} in this file.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    decls.map((d) => ({ label: d.name, description: d.kind })),
    { placeHolder: `${label}: which ${kinds.join(' or ')}?` },
  );
  return picked ? { uri: doc.uri, name: picked.label } : undefined;
}

function isDeclParams(value: unknown): value is DeclParams {
  return !!value && typeof value === 'object' && typeof (value as DeclParams).uri === 'string' && typeof (value as DeclParams).name === 'string';
}
