// CodeLens above datasets, prompts and sims. Used only when the language server offers none (the server's
// lenses run the same commands with the same arguments, see lsp/protocol.ts).
import * as vscode from 'vscode';
import { findDeclarations } from './declarations.js';
import { Commands, type DeclParams } from '../../lsp/protocol.js';

export class SynthCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly watcher = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('synth.codeLens')) this.changed.fire();
  });

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('synth', document.uri).get<boolean>('codeLens.enabled', true)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const d of findDeclarations(document.getText())) {
      if (!d.name) continue;
      const range = new vscode.Range(document.positionAt(d.start), document.positionAt(d.nameStart + d.name.length));
      const args: DeclParams = { uri: document.uri.toString(), name: d.name };
      const lens = (title: string, command: string) => new vscode.CodeLens(range, { title, command, arguments: [args] });
      if (d.kind === 'dataset') {
        lenses.push(lens('$(play) Run', Commands.runDataset), lens('Dry run', Commands.dryRun), lens('Show plan', Commands.showPlan));
      } else if (d.kind === 'prompt') {
        lenses.push(lens('Preview prompt', Commands.previewPrompt));
      } else if (d.kind === 'sim') {
        lenses.push(lens('Show WGSL', Commands.showWgsl), lens('Show plan', Commands.showPlan));
      }
    }
    return lenses;
  }
}
