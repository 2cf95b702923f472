// Read-only documents beside the editor for Preview prompt / Show WGSL / Show plan (scheme `synth-preview`).
// Showing the same declaration again refreshes its tab instead of opening another.
import * as vscode from 'vscode';
import type { DocumentResult } from '../../lsp/protocol.js';

export const PREVIEW_SCHEME = 'synth-preview';

export class PreviewDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  async show(result: DocumentResult, fallbackTitle: string, fallbackLanguage: string): Promise<vscode.TextEditor> {
    const title = (result.title || fallbackTitle).replace(/[\\/]/g, '_');
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${title}` });
    const key = uri.toString();
    const known = this.contents.has(key);
    this.contents.set(key, result.content);
    if (known) this.changed.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    const language = result.language || fallbackLanguage;
    if (doc.languageId !== language && (await vscode.languages.getLanguages()).includes(language)) {
      doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    }
    return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
