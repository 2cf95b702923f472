// Semantic tokens: the lexer's tokens (the same lexer as the compiler) classified with what the checker
// resolved — a soft keyword used as a name is a name, a name is coloured by what it refers to, template holes
// inside strings are coloured as code.
import type { IToken } from 'chevrotain';
import type { SemanticTokens, SemanticTokensLegend, SemanticTokensParams } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import * as L from '../grammar/lexer.js';
import { FUNCTIONS, AGGREGATES, SAMPLERS } from '../compiler/builtins.js';
import { SIM_FUNCTIONS, SIM_RANDOM } from '../compiler/sim/builtins.js';
import { PRIMITIVE_TYPES, SIM_SCALAR_TYPES } from '../compiler/types.js';
import { nameIndex, targetKey, type Target } from './resolve.js';
import type { Analysis } from './workspace.js';

const TYPES = ['namespace', 'type', 'struct', 'enum', 'enumMember', 'property', 'parameter', 'variable', 'function', 'method', 'event', 'keyword', 'comment', 'string', 'number', 'operator'] as const;
const MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;
type TokenType = (typeof TYPES)[number];

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

const typeIndex = (t: TokenType) => TYPES.indexOf(t);
const MOD = { declaration: 1, readonly: 2, defaultLibrary: 4 };

function classify(t: Target): { type: TokenType; mods: number } {
  switch (t.kind) {
    case 'struct':
      return { type: 'struct', mods: 0 };
    case 'enum':
      return { type: 'enum', mods: 0 };
    case 'enumCase':
      return { type: 'enumMember', mods: 0 };
    case 'field':
    case 'eventField':
    case 'simState':
      return { type: 'property', mods: 0 };
    case 'param':
      return { type: 'parameter', mods: 0 };
    case 'simParam':
      return { type: 'variable', mods: MOD.readonly };
    case 'prompt':
      return { type: 'function', mods: 0 };
    case 'rule':
      return { type: 'method', mods: 0 };
    case 'event':
      return { type: 'event', mods: 0 };
    case 'model':
    case 'source':
    case 'sim':
    case 'dataset':
      return { type: 'namespace', mods: 0 };
    default:
      return { type: 'variable', mods: 0 };
  }
}

interface Raw {
  start: number;
  length: number;
  type: number;
  mods: number;
}

/** textDocument/semanticTokens/full: lexer tokens classified by what the checker resolved (SEMANTIC_TOKENS_LEGEND), LSP's relative encoding. */
export function semanticTokens(a: Analysis, _params: SemanticTokensParams): SemanticTokens {
  const text = a.doc.text;
  const file = a.doc.path;
  const byStart = new Map<number, { target: Target; decl: boolean }>();
  for (const o of nameIndex(a).all) {
    if (o.file !== file) continue;
    byStart.set(o.ident.span.start, { target: o.target, decl: targetKey(o.target) === targetKey({ file, span: o.ident.span }) });
  }
  // Setting keys and templates, from the AST.
  const settingKeys = new Set<number>();
  const templates = new Map<number, A.Template>();
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const o = x as Record<string, unknown>;
    if (o['kind'] === 'Setting') settingKeys.add((o['key'] as A.Ident).span.start);
    if (o['kind'] === 'Template') templates.set((o as unknown as A.Template).span.start, o as unknown as A.Template);
    for (const k in o) if (k !== 'span' && k !== 'keyword') visit(o[k]);
  };
  visit(a.source.ast.decls);

  const raw: Raw[] = [];
  const push = (start: number, length: number, type: TokenType, mods = 0) => {
    if (length > 0) raw.push({ start, length, type: typeIndex(type), mods });
  };
  const ident = (tok: { start: number; image: string; keyword: boolean }) => {
    const hit = byStart.get(tok.start);
    if (hit) {
      const c = classify(hit.target);
      return push(tok.start, tok.image.length, c.type, c.mods | (hit.decl ? MOD.declaration : 0));
    }
    if (settingKeys.has(tok.start)) return push(tok.start, tok.image.length, 'property');
    if (tok.keyword) return push(tok.start, tok.image.length, 'keyword');
    if (PRIMITIVE_TYPES.has(tok.image) || SIM_SCALAR_TYPES.has(tok.image)) return push(tok.start, tok.image.length, 'type', MOD.defaultLibrary);
    if (FUNCTIONS[tok.image] || AGGREGATES[tok.image] || SAMPLERS[tok.image] || SIM_FUNCTIONS[tok.image] || SIM_RANDOM[tok.image]) {
      return push(tok.start, tok.image.length, 'function', MOD.defaultLibrary);
    }
    return push(tok.start, tok.image.length, 'variable');
  };
  const lexed = L.synthLexer.tokenize(text);
  const tokens: IToken[] = [...lexed.tokens, ...((lexed.groups['comments'] ?? []) as IToken[])].sort((x, y) => x.startOffset - y.startOffset);
  for (const t of tokens) {
    const name = t.tokenType.name;
    const start = t.startOffset;
    if (name === 'LineComment' || name === 'BlockComment' || name === 'UnterminatedBlockComment') push(start, t.image.length, 'comment');
    else if (name.includes('String')) {
      const tpl = templates.get(start);
      if (!tpl) push(start, t.image.length, 'string');
      else {
        // string text between holes; holes lexed again for their names
        let pos = start;
        for (const part of tpl.parts) {
          if (part.kind !== 'Hole') continue;
          push(pos, part.span.start - pos, 'string');
          const sub = L.synthLexer.tokenize(text.slice(part.span.start, part.span.end));
          for (const h of sub.tokens) {
            const hs = part.span.start + h.startOffset;
            if (h.tokenType === L.Identifier || h.tokenType.CATEGORIES?.includes(L.Identifier)) ident({ start: hs, image: h.image, keyword: false });
            else if (h.tokenType === L.NumberLit) push(hs, h.image.length, 'number');
          }
          pos = part.span.end;
        }
        push(pos, start + t.image.length - pos, 'string');
      }
    } else if (name === 'NumberLit' || name === 'Duration') push(start, t.image.length, 'number');
    else if (name === 'Identifier') ident({ start, image: t.image, keyword: false });
    else if (name.startsWith('Kw_')) ident({ start, image: t.image, keyword: true });
    else if (name === 'Arrow' || name === 'Tilde' || name === 'DotDot') push(start, t.image.length, 'operator');
  }
  return { data: encode(a, raw) };
}

/** Relative encoding; tokens spanning lines (triple strings, block comments) are split per line. */
function encode(a: Analysis, raw: Raw[]): number[] {
  const lines = a.source.lines;
  const text = a.doc.text;
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  raw.sort((x, y) => x.start - y.start);
  let lastEnd = -1;
  for (const r of raw) {
    if (r.start < lastEnd) continue; // never overlap
    lastEnd = r.start + r.length;
    let s = r.start;
    const end = r.start + r.length;
    while (s < end) {
      const nl = text.indexOf('\n', s);
      const e = nl >= 0 && nl < end ? nl : end;
      if (e > s) {
        const p = lines.position(s);
        const dl = p.line - prevLine;
        const dc = dl === 0 ? p.character - prevChar : p.character;
        data.push(dl, dc, e - s, r.type, r.mods);
        prevLine = p.line;
        prevChar = p.character;
      }
      s = e + 1;
    }
  }
  return data;
}
