// Finds the top-level declarations of a .synth text without the language server: the commands need "the
// dataset under the cursor" even when the server is busy or down, and the fallback CodeLens uses it too.
// Comments and strings are blanked first, so braces and keywords inside them do not count. No `vscode` import:
// this module is unit-tested (test/vscode/client.test.ts).

export type DeclKind = 'goal' | 'enum' | 'struct' | 'model' | 'prompt' | 'source' | 'sim' | 'dataset';

export interface DeclInfo {
  kind: DeclKind;
  name: string;
  /** Offset of the keyword. */
  start: number;
  /** Offset just after the `}` closing the body (or where the next declaration starts). */
  end: number;
  nameStart: number;
}

const HEADER = /^[ \t]*(goal|enum|struct|model|prompt|source|sim|dataset)[ \t]+([A-Za-z_][A-Za-z0-9_]*)?/;

/** The text with comments and string contents replaced by spaces (newlines and offsets kept). */
export function blankCommentsAndStrings(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' && text.startsWith('"""', i)) {
      let j = i + 3;
      while (j < text.length && !text.startsWith('"""', j)) j += text[j] === '\\' ? 2 : 1;
      const stop = Math.min(text.length, j + 3);
      blank(i + 1, stop - 1);
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      const stop = Math.min(text.length, text[j] === '"' ? j + 1 : j);
      blank(i + 1, text[j] === '"' ? stop - 1 : stop);
      i = stop;
    } else {
      i++;
    }
  }
  return out.join('');
}

export function findDeclarations(text: string): DeclInfo[] {
  const clean = blankCommentsAndStrings(text);
  const decls: DeclInfo[] = [];
  let depth = 0;
  let open: DeclInfo | undefined; // the declaration whose body we are in (or whose header we read)
  let bodyStarted = false;
  for (let i = 0; i < clean.length; i++) {
    const atLineStart = i === 0 || clean[i - 1] === '\n';
    if (atLineStart) {
      const eol = clean.indexOf('\n', i);
      const line = clean.slice(i, eol < 0 ? undefined : eol);
      const m = HEADER.exec(line);
      // An unindented header with a body on its line ends a body left open above (like the TextMate grammar).
      if (m && depth > 0 && /^[a-z]/.test(line) && line.includes('{')) depth = 0;
      if (m && depth === 0) {
        if (open) open.end = lastNonSpace(clean, i);
        const kw = m[1] as DeclKind;
        const start = i + m[0].indexOf(kw);
        const name = m[2] ?? '';
        open = { kind: kw, name, start, end: clean.length, nameStart: name ? i + m[0].lastIndexOf(name) : start };
        decls.push(open);
        bodyStarted = false;
      }
    }
    const c = clean[i];
    if (c === '{') {
      depth++;
      bodyStarted = true;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0 && open && bodyStarted) {
        open.end = i + 1;
        open = undefined;
      }
    }
  }
  return decls;
}

function lastNonSpace(text: string, before: number): number {
  let j = before;
  while (j > 0 && /\s/.test(text[j - 1]!)) j--;
  return j;
}

/** The declaration of one of `kinds` that contains `offset` (header or body), if any. */
export function declarationAt(decls: DeclInfo[], offset: number, kinds: readonly DeclKind[]): DeclInfo | undefined {
  return decls.find((d) => kinds.includes(d.kind) && d.name && offset >= d.start && offset <= d.end);
}
