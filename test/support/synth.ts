// The shared way tests turn spec text into what they test — like Langium's `parseHelper`: write a spec into a
// fresh project folder and check it, build its plan or its simulation stage, check text in memory (no disk), or
// open it in the language server's workspace (in process) and ask for hovers, completions and inlay hints at a
// `<|>` cursor. One place for the boilerplate (temp folders, `checkFile`, "no errors", `buildPlan`) that tests
// used to repeat, so each test is its fixture and its expectations.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import type { CompletionItem, InlayHint } from 'vscode-languageserver-protocol';
import type { Diagnostic } from '../../base/diagnostics.js';
import { checkFile, checkProgram, type CheckResult } from '../../compiler/check.js';
import type { Plan } from '../../compiler/plan/schema.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { loadProgram } from '../../compiler/program.js';
import type { SimStage } from '../../compiler/sim/plan.js';
import { completionItems } from '../../lsp/completion.js';
import { hoverText } from '../../lsp/hover.js';
import { inlayHints } from '../../lsp/inlay-hints.js';
import { Workspace, type Analysis } from '../../lsp/workspace.js';
import { cursor, type CursorText } from './cursor.js';

export interface SpecOptions {
  /** the spec's file name (default `spec.synth`) */
  name?: string;
  /** the folder to write it in (default: a fresh temp folder) */
  dir?: string;
  /** the temp folder's name prefix (default `synth-test-`) */
  prefix?: string;
}

/** A fresh empty folder under the OS temp folder. */
export function tempDir(prefix = 'synth-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes `text` as a spec file in a project folder (see SpecOptions); returns the folder and the file. */
export function project(text: string, o: SpecOptions = {}): { dir: string; file: string } {
  const dir = o.dir ?? tempDir(o.prefix);
  const file = path.join(dir, o.name ?? 'spec.synth');
  writeFileSync(file, text);
  return { dir, file };
}

/** Writes `text` as a spec file (see `project`) and returns its path. */
export function specFile(text: string, o: SpecOptions = {}): string {
  return project(text, o).file;
}

export interface Checked {
  dir: string;
  file: string;
  res: CheckResult;
  diagnostics: Diagnostic[];
  errors: Diagnostic[];
}

const errorsOf = (res: CheckResult) => res.diagnostics.filter((d) => d.severity === 'error');

/** Checks a spec file on disk: the result, its diagnostics and its errors. */
export function checkSpec(file: string): Checked {
  const res = checkFile(file);
  return { dir: path.dirname(file), file, res, diagnostics: res.diagnostics, errors: errorsOf(res) };
}

/** Writes `text` as a spec (see `project`) and checks it. */
export function checkText(text: string, o: SpecOptions = {}): Checked {
  return checkSpec(project(text, o).file);
}

/** Checks `text` in memory as `/mem/a.synth` (imports resolve to nothing): for checker tests that touch no disk. */
export function checkInMemory(text: string, file = '/mem/a.synth'): CheckResult {
  return checkProgram(loadProgram(file, { readFile: () => undefined }, text));
}

/** Fails the test, listing them, when `c` has errors. */
export function expectNoErrors(c: Pick<Checked, 'errors'>): void {
  expect(c.errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
}

export interface Planned extends Checked {
  plan: Plan;
  /** the canonical plan.json text */
  json: string;
  /** generated WGSL modules by path */
  wgsl: Map<string, string>;
}

/** The plan of a checked spec, which must have no errors. */
export function planOfChecked(c: Checked): Planned {
  expectNoErrors(c);
  const b = buildPlan(c.res);
  return { ...c, plan: b.plan, json: b.json, wgsl: b.wgsl };
}

/** Writes `text` as a spec, checks it (no errors allowed) and builds its plan. */
export function planOf(text: string, o: SpecOptions = {}): Planned {
  return planOfChecked(checkText(text, o));
}

/** The plan of a spec file on disk (no errors allowed). */
export function planOfFile(file: string): Planned {
  return planOfChecked(checkSpec(file));
}

/** The stage of the (first) simulation of `text`, as the runtime's backends take it. */
export function simStageOf(text: string, o: SpecOptions = {}): SimStage {
  return Object.values(planOf(text, o).plan.sims)[0]!.stage as SimStage;
}

// ------------------------------------------------------------------------------- the editor, in process

export interface Opened {
  ws: Workspace;
  uri: string;
  /** the document's analysis (parse, check, index), as the language server's features read it */
  a: Analysis;
  /** where the `<|>` marker was, if the text had one */
  at?: CursorText;
}

/**
 * Opens `text` (which may hold one `<|>` marker) as a document of a fresh language-server workspace, as the
 * file `file` (default: a spec in a fresh temp folder, so imports and sources resolve beside it).
 */
export function openInEditor(text: string, file?: string): Opened {
  const at = text.includes('<|>') ? cursor(text) : undefined;
  const uri = pathToFileURL(file ?? path.join(tempDir('synth-editor-'), 'spec.synth')).href;
  const ws = new Workspace({ debounceMs: 0 });
  ws.open(uri, at ? at.text : text, 1);
  return { ws, uri, a: ws.analyze(uri)!, ...(at ? { at } : {}) };
}

/** Every inlay hint of an opened document. */
export function hintsOf(o: Opened): InlayHint[] {
  return inlayHints(o.a, { textDocument: { uri: o.uri }, range: { start: { line: 0, character: 0 }, end: { line: 1e6, character: 0 } } });
}

/** The hover text at `offset` (default: the `<|>` marker) of an opened document; undefined when there is none. */
export function hoverOf(o: Opened, offset = o.at?.offset): string | undefined {
  if (offset === undefined) throw new Error('no offset and no <|> marker');
  return hoverText(o.a, offset)?.text;
}

/** Asserts the hover at the `<|>` marker of `text`: it matches `expected` (a RegExp) or contains it (a string). */
export function expectHover(text: string, expected: string | RegExp, file?: string): string {
  const h = hoverOf(openInEditor(text, file)) ?? '';
  if (typeof expected === 'string') expect(h).toContain(expected);
  else expect(h).toMatch(expected);
  return h;
}

/** The completion items at the `<|>` marker of `text`. */
export function completionsAt(text: string, file?: string): CompletionItem[] {
  const o = openInEditor(text, file);
  return completionItems(o.a, o.at!.offset);
}

/** Asserts the completions at the `<|>` marker of `text` include every label of `includes` and none of `excludes`. */
export function expectCompletion(text: string, expected: { includes?: string[]; excludes?: string[] }, file?: string): string[] {
  const labels = completionsAt(text, file).map((i) => i.label);
  if (expected.includes) expect(labels).toEqual(expect.arrayContaining(expected.includes));
  for (const x of expected.excludes ?? []) expect(labels).not.toContain(x);
  return labels;
}
