// What the extension and the Synth language server (lsp/) agree on beyond LSP itself. The server may import
// these names (the file has no dependencies) or repeat them; docs/editor.md describes the same contract.

/** Custom requests the client sends. Params: {@link DeclParams}; result: {@link DocumentResult} (or a string). */
export const Requests = {
  /** The prompt's messages rendered with sample arguments (markdown). */
  previewPrompt: 'synth/previewPrompt',
  /** The WGSL generated for a sim (one document, modules separated by comments). */
  showWgsl: 'synth/showWgsl',
  /** The plan (canonical JSON) of a dataset or sim, or of the whole file when `name` is ''. */
  showPlan: 'synth/showPlan',
} as const;

/** Client-side commands. A CodeLens from the server runs one of these with `arguments: [DeclParams]`. */
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
