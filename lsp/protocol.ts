// What the VS Code extension and the Synth language server agree on beyond LSP itself: the custom requests,
// their params and results, and the client-side command ids a server CodeLens may run. The one copy of the
// contract: lsp/custom-requests.ts implements it, vscode-extension/src imports it (the only file of lsp/ it may
// import, test/architecture/imports.test.ts), docs/editor.md describes it. Declarations only; imports nothing.

/** Custom requests the client sends. Params: {@link DeclParams}; result: {@link DocumentResult} or null (nothing to show). */
export const Requests = {
  /** The prompt's messages rendered with sample arguments (markdown). */
  previewPrompt: 'synth/previewPrompt',
  /** The WGSL generated for a sim (one document, modules separated by comments). */
  showWgsl: 'synth/showWgsl',
  /** The plan (canonical JSON) of a dataset or sim, or of the whole file when `name` is ''. */
  showPlan: 'synth/showPlan',
} as const;

/** Client-side commands. A CodeLens from the server runs one of these with `arguments: [DeclParams]`; the server
 *  must not register them as `executeCommand` commands (VS Code refuses duplicates). */
export const Commands = {
  runDataset: 'synth.runDataset',
  dryRun: 'synth.dryRun',
  previewPrompt: 'synth.previewPrompt',
  showWgsl: 'synth.showWgsl',
  showPlan: 'synth.showPlan',
  restartServer: 'synth.restartServer',
} as const;

/** Names a declaration: `uri` of the .synth document (as the client sends it in didOpen), `name` of the
 *  dataset / prompt / sim ('' for the whole file in showPlan). */
export interface DeclParams {
  uri: string;
  name: string;
}

/** A document to show read-only beside the editor. `language`: a VS Code language id (default: markdown for
 *  previews, wgsl for WGSL, json for plans); `title`: the tab's name. */
export interface DocumentResult {
  content: string;
  language?: string;
  title?: string;
}
