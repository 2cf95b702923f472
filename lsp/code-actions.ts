// Quick fixes, keyed on the diagnostic's code and data (never its message):
//  - any diagnostic whose compiler result carries a `fix` ("did you mean", scale weights to sum to 1, read
//    the API key from env(...)) offers that fix;
//  - SYN2005 on `Enum.case` and SYN1001 on an unknown key of `weighted {...}`: add the missing case to the enum;
//  - SYN1005 (missing setting): insert the setting with a placeholder.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import { keyName } from '../grammar/ast.js';
import { diagnosticData, type Diagnostic, type Fix } from '../base/diagnostics.js';
import type { DiagnosticData } from './diagnostics.js';
import { nodePath } from './nodes.js';
import { toOffset, toRange } from './positions.js';
import type { Analysis } from './workspace.js';

/**
 * `textDocument/codeAction`: the quick fixes for the diagnostics the client sends back (matched to ours by code and
 * range), each keyed on the diagnostic's code and `data`, never its message text. Empty when none applies.
 */
export function codeActions(a: Analysis, params: CodeActionParams): CodeAction[] {
  const out: CodeAction[] = [];
  for (const ld of params.context.diagnostics) {
    const d = findDiagnostic(a, ld);
    if (!d) continue;
    out.push(...fixesFor(a, d, ld));
  }
  return out;
}

/** The compiler diagnostic an LSP diagnostic came from, in the current analysis (by code and range). */
function findDiagnostic(a: Analysis, ld: LspDiagnostic): Diagnostic | undefined {
  const data = ld.data as DiagnosticData | undefined;
  const code = data?.code ?? String(ld.code ?? '');
  const start = toOffset(a.source.lines, ld.range.start);
  return a.diagnostics.find((d) => d.code === code && d.span.start === start) ?? a.diagnostics.find((d) => d.code === code && data !== undefined && d.span.start === data.start);
}

function editOf(a: Analysis, fix: Fix): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const e of fix.edits) {
    const src = a.workspace.sourceOf(a, e.file);
    if (!src) continue;
    (changes[a.workspace.uriOf(e.file)] ??= []).push({ range: toRange(src.lines, e.span), newText: e.newText });
  }
  return { changes };
}

function action(title: string, ld: LspDiagnostic, edit: WorkspaceEdit, preferred = false): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [ld], edit, isPreferred: preferred };
}

/**
 * The quick fixes of one diagnostic `d` (shown to the client as `ld`): its own `fix` first (preferred), then fixes
 * derived from its code and `data` (e.g. SYN1005 inserts the missing setting named in `data.key`).
 */
export function fixesFor(a: Analysis, d: Diagnostic, ld: LspDiagnostic): CodeAction[] {
  const out: CodeAction[] = [];
  if (d.fix) out.push(action(d.fix.title, ld, editOf(a, d.fix), true));
  switch (d.code) {
    case 'SYN2005':
    case 'SYN1001': {
      const add = missingEnumCase(a, d);
      if (add) out.push(action(`Add case '${add.name}' to enum ${add.decl.name.name}`, ld, addCaseEdit(a, add.decl, add.file, add.name)));
      break;
    }
    case 'SYN1005': {
      const key = diagnosticData(d, 'SYN1005')?.key;
      const decl = nodePath(a.source.ast, d.span.start)[0] as unknown as A.Decl | undefined;
      if (key && decl && 'settings' in decl) {
        const value = key === 'model' ? 'model_name' : key === 'user' ? '""' : key === 'name' ? '"model-name"' : '1';
        const at = a.doc.text.indexOf('{', decl.span.start);
        if (at >= 0 && at < decl.span.end) {
          const edit: TextEdit = { range: toRange(a.source.lines, { start: at + 1, end: at + 1 }), newText: `\n  ${key} ${value}` };
          out.push(action(`Add \`${key}\``, ld, { changes: { [a.doc.uri]: [edit] } }));
        }
      }
      break;
    }
  }
  return out;
}

/** An unknown enum case the user probably meant to add: `Tier.vip`, or `vip` among the keys of `weighted`. */
function missingEnumCase(a: Analysis, d: Diagnostic): { decl: A.EnumDecl; file: string; name: string } | undefined {
  const path = nodePath(a.source.ast, d.span.start);
  const node = path[path.length - 1];
  if (!node || node.kind !== 'Ident') return undefined;
  const ident = node as unknown as A.Ident;
  const parent = path[path.length - 2];
  const symbols = a.result.symbols;
  if (parent?.kind === 'Member') {
    const m = parent as unknown as A.MemberExpr;
    if (m.member !== ident || m.object.kind !== 'Name') return undefined;
    const s = symbols.get(m.object.name.name);
    if (s?.decl.kind === 'Enum') return { decl: s.decl, file: s.file, name: ident.name };
    return undefined;
  }
  if (parent?.kind === 'RecordEntry') {
    const rec = path[path.length - 3] as unknown as A.RecordLit | undefined;
    if (rec?.kind !== 'Record') return undefined;
    const others = rec.entries.map((en) => keyName(en.key)).filter((k) => k !== ident.name);
    for (const k of others) {
      for (const en of symbols.enumCases.get(k) ?? []) {
        const s = symbols.get(en);
        if (s?.decl.kind === 'Enum' && others.every((o) => (s.decl as A.EnumDecl).cases.some((c) => c.name === o))) return { decl: s.decl, file: s.file, name: ident.name };
      }
    }
  }
  return undefined;
}

function addCaseEdit(a: Analysis, e: A.EnumDecl, file: string, name: string): WorkspaceEdit {
  const src = a.workspace.sourceOf(a, file)!;
  const last = e.cases[e.cases.length - 1];
  const at = last ? last.span.end : src.text.indexOf('{', e.span.start) + 1;
  const newText = last ? `, ${name}` : ` ${name} `;
  return { changes: { [a.workspace.uriOf(file)]: [{ range: toRange(src.lines, { start: at, end: at }), newText }] } };
}
