// Where is the cursor? Completion and signature help need to know the syntactic context even when the text
// around the cursor does not parse yet (the user is typing). The declaration comes from the recovered AST;
// within it, a small scanner over the declaration's text tracks braces, parentheses, strings, template holes
// and comments up to the cursor.
import type * as A from '../grammar/ast.js';
import type { Ty } from '../compiler/types.js';
import { T } from '../compiler/types.js';
import { declAt } from './nodes.js';
import type { Analysis } from './workspace.js';

export interface CursorContext {
  offset: number;
  decl: A.Decl | A.ImportDecl | undefined;
  /** brace depth inside the declaration (0 = its header or top level) */
  depth: number;
  /** open parentheses inside the declaration at the cursor */
  parens: number;
  inString: boolean;
  /** inside `{...}` in a string (a template hole) */
  inHole: boolean;
  inComment: boolean;
  /** the current line up to the cursor */
  line: string;
  /** the identifier being typed (may be empty) */
  word: string;
  /** the line before the word */
  lead: string;
  /** offset where the word starts */
  wordStart: number;
}

/** The syntactic context at `offset`: the declaration around it (from the recovered AST) and, from a scan of its text, depth, string/hole/comment state and the word being typed. */
export function cursorContext(a: Analysis, offset: number): CursorContext {
  const text = a.doc.text;
  const file = a.source.ast;
  let decl = declAt(file, offset);
  const start = decl ? decl.span.start : 0;
  let depth = 0;
  let parens = 0;
  let inString = false;
  let triple = false;
  let holeDepth = 0;
  let inComment = false;
  for (let i = start; i < offset; i++) {
    const c = text[i]!;
    if (inString && holeDepth === 0) {
      if (c === '\\') {
        i++;
        continue;
      }
      if (triple ? text.startsWith('"""', i) : c === '"') {
        inString = false;
        if (triple) i += 2;
        continue;
      }
      if (!triple && c === '\n') {
        inString = false;
        continue;
      }
      if (c === '{') holeDepth = 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= offset) {
        inComment = true;
        break;
      }
      i = nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const endc = text.indexOf('*/', i + 2);
      if (endc < 0 || endc + 2 > offset) {
        inComment = true;
        break;
      }
      i = endc + 1;
      continue;
    }
    if (inString && holeDepth > 0) {
      if (c === '{') holeDepth++;
      else if (c === '}') holeDepth--;
      else if (c === '"') {
        // a quote inside a hole ends the string in the lexer's eyes
        inString = false;
        holeDepth = 0;
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      triple = text.startsWith('"""', i);
      if (triple) i += 2;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === '(') parens++;
    else if (c === ')') parens = Math.max(0, parens - 1);
  }
  // The cursor after a closed declaration is at the top level.
  if (decl && depth === 0 && !inString && offset > decl.span.end && text.slice(decl.span.start, offset).includes('}')) decl = undefined;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(line);
  const word = m ? m[0] : '';
  return {
    offset,
    decl,
    depth,
    parens,
    inString: inString && holeDepth === 0,
    inHole: inString && holeDepth > 0,
    inComment,
    line,
    word,
    lead: line.slice(0, line.length - word.length),
    wordStart: offset - word.length,
  };
}

export interface ScopeEntry {
  name: string;
  kind: 'vary' | 'let' | 'for' | 'row' | 'judge' | 'param';
  type: Ty;
  detail?: string;
}

/** Names visible at `offset` inside a dataset: variables of the clauses before the cursor, then `row`. */
export function datasetScope(a: Analysis, d: A.DatasetDecl, offset: number): ScopeEntry[] {
  const refs = a.result.ctx.references;
  const out: ScopeEntry[] = [];
  const typeOf = (id: A.Ident): Ty => refs.get(id)?.type ?? T.unknown;
  for (const c of d.clauses) {
    if (c.span.end > offset && c.span.start <= offset) continue; // the clause being written
    if (c.span.start > offset) break;
    switch (c.kind) {
      case 'Vary':
        out.push({ name: c.name.name, kind: 'vary', type: typeOf(c.name) });
        break;
      case 'LetClause':
        out.push({ name: c.name.name, kind: 'let', type: typeOf(c.name) });
        break;
      case 'For':
        out.push({ name: c.binder.name, kind: 'for', type: typeOf(c.binder) });
        break;
      case 'Judge':
        out.push({ name: c.name.name, kind: 'judge', type: T.float });
        break;
      case 'Row': {
        const t = d.rowType ? (a.result.ctx.typeRefs.get(d.rowType) ?? T.unknown) : (a.result.ctx.exprTypes.get(c.value) ?? T.unknown);
        out.push({ name: 'row', kind: 'row', type: t });
        break;
      }
    }
  }
  return out.filter((e) => e.name);
}

/** A prompt's parameters with their types. */
export function promptScope(a: Analysis, p: A.PromptDecl): ScopeEntry[] {
  return p.params.filter((x) => x.name.name).map((x) => ({ name: x.name.name, kind: 'param', type: a.result.ctx.typeRefs.get(x.type) ?? T.unknown }));
}
