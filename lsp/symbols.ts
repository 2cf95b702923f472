// Document symbols (the outline) and workspace symbols (every declaration of every open document's program).
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams, type SymbolInformation, type WorkspaceSymbolParams } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import { typeRefText } from '../compiler/types.js';
import type { LineIndex } from '../base/source.js';
import { toRange } from './positions.js';
import type { Analysis, Workspace } from './workspace.js';

const KIND: Record<string, SymbolKind> = {
  Goal: SymbolKind.Namespace,
  Enum: SymbolKind.Enum,
  Struct: SymbolKind.Struct,
  Model: SymbolKind.Object,
  Prompt: SymbolKind.Function,
  Source: SymbolKind.File,
  Sim: SymbolKind.Class,
  Dataset: SymbolKind.Module,
};

function sym(lines: LineIndex, name: string, kind: SymbolKind, span: A.Span, sel: A.Span, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  const range = toRange(lines, span);
  let selectionRange = toRange(lines, sel);
  // the selection must lie inside the range (recovered spans may not)
  if (sel.start < span.start || sel.end > span.end) selectionRange = range;
  return { name: name || '(missing name)', kind, range, selectionRange, ...(detail ? { detail } : {}), ...(children ? { children } : {}) };
}

/** The outline of one file: a symbol per declaration with its children (fields, cases, params, states, rules, events, vary/let). */
export function declSymbols(lines: LineIndex, file: A.SynthFile): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const d of file.decls) {
    const kids: DocumentSymbol[] = [];
    switch (d.kind) {
      case 'Goal':
        out.push(sym(lines, d.description?.value ?? 'goal', KIND.Goal!, d.span, d.keyword, 'goal'));
        continue;
      case 'Enum':
        for (const c of d.cases) kids.push(sym(lines, c.name, SymbolKind.EnumMember, c.span, c.span));
        break;
      case 'Struct':
        for (const f of d.fields) kids.push(sym(lines, f.name.name, SymbolKind.Field, f.span, f.name.span, typeRefText(f.type)));
        break;
      case 'Model':
        for (const s of d.settings) kids.push(sym(lines, s.key.name, SymbolKind.Property, s.span, s.key.span));
        break;
      case 'Prompt':
        for (const p of d.params) kids.push(sym(lines, p.name.name, SymbolKind.Variable, p.span, p.name.span, typeRefText(p.type)));
        break;
      case 'Sim':
        for (const p of d.params) kids.push(sym(lines, p.name.name, SymbolKind.Constant, p.span, p.name.span, `param ${typeRefText(p.type)}`));
        for (const s of d.states) kids.push(sym(lines, s.name.name, SymbolKind.Field, s.span, s.name.span, `state ${typeRefText(s.type)}`));
        for (const r of d.rules) kids.push(sym(lines, r.name.name, SymbolKind.Method, r.span, r.name.span, 'rule'));
        for (const e of d.events) kids.push(sym(lines, e.name.name, SymbolKind.Event, e.span, e.name.span, 'event'));
        break;
      case 'Dataset':
        for (const c of d.clauses) {
          if (c.kind === 'Vary') kids.push(sym(lines, c.name.name, SymbolKind.Variable, c.span, c.name.span, 'vary'));
          if (c.kind === 'LetClause') kids.push(sym(lines, c.name.name, SymbolKind.Variable, c.span, c.name.span, 'let'));
          if (c.kind === 'Judge') kids.push(sym(lines, c.name.name, SymbolKind.Variable, c.span, c.name.span, 'judge'));
        }
        break;
    }
    const detail = d.kind === 'Prompt' && d.returnType ? `-> ${typeRefText(d.returnType)}` : d.kind === 'Dataset' && d.rowType ? `: ${typeRefText(d.rowType)}` : d.kind.toLowerCase();
    out.push(sym(lines, d.name.name, KIND[d.kind]!, d.span, d.name.span, detail, kids));
  }
  return out;
}

/** textDocument/documentSymbol: the analysed document's outline (`declSymbols`). */
export function documentSymbols(a: Analysis, _params: DocumentSymbolParams): DocumentSymbol[] {
  return declSymbols(a.source.lines, a.source.ast);
}

function fuzzy(query: string, name: string): boolean {
  if (!query) return true;
  let i = 0;
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  for (const c of n) if (c === q[i]) i++;
  return i === q.length;
}

/** workspace/symbol: declarations of every open document's program whose names fuzzily match the query (each once). */
export function workspaceSymbols(ws: Workspace, params: WorkspaceSymbolParams): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const seen = new Set<string>();
  for (const a of ws.analyzeAll()) {
    for (const p of a.result.program.order) {
      const src = a.result.program.files.get(p)!;
      for (const d of src.ast.decls) {
        if (d.kind === 'Goal' || !d.name.name || !fuzzy(params.query, d.name.name)) continue;
        const key = `${p}:${d.name.span.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name: d.name.name, kind: KIND[d.kind]!, location: { uri: ws.uriOf(p), range: toRange(src.lines, d.name.span) }, containerName: d.kind.toLowerCase() });
      }
    }
  }
  return out;
}
