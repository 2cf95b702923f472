// The layer rule of docs/architecture.md, enforced: every relative import in the source folders points down the
// layers (base → grammar → compiler → runtime | lsp → cli), and no module imports itself back through others.
// Type-only imports count too: a circle of types is still two files that cannot be understood apart.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** What each layer may import from (itself included). */
const ALLOWED: Record<string, string[]> = {
  base: ['base'],
  grammar: ['base', 'grammar'],
  compiler: ['base', 'grammar', 'compiler'],
  runtime: ['base', 'grammar', 'compiler', 'runtime'],
  lsp: ['base', 'grammar', 'compiler', 'lsp'],
  cli: ['base', 'grammar', 'compiler', 'runtime', 'lsp', 'cli'],
  'vscode-extension': ['vscode-extension'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist' && e.name !== 'out') out.push(...sourceFiles(rel));
    } else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') && !e.name.endsWith('.d.mts')) out.push(rel);
  }
  return out;
}

/** Relative imports of one file (static, dynamic, `export … from`, `import('…').T`), resolved to repo paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.normalize(path.join(path.dirname(file), s)).replace(/\.(m?js)$/, (_, e: string) => (e === 'mjs' ? '.mts' : '.ts')));
}

const layerOf = (f: string) => f.split(path.sep)[0]!;

/** The one file of lsp/ the extension may import: the request/command contract, declarations only (docs/editor.md). */
const PROTOCOL = path.join('lsp', 'protocol.ts');
/** Whether `f` may import `d`: down the layers, or the extension importing the protocol file. */
const allowed = (f: string, d: string) => ALLOWED[layerOf(f)]!.includes(layerOf(d)) || (layerOf(f) === 'vscode-extension' && d === PROTOCOL);

const graph = new Map<string, string[]>();
for (const layer of Object.keys(ALLOWED)) {
  for (const f of sourceFiles(layer === 'vscode-extension' ? 'vscode-extension/src' : layer)) graph.set(f, importsOf(f));
}

/** Strongly connected components of more than one file (Tarjan), each sorted. */
function cycles(g: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}


describe('import graph', () => {
  it('finds the files it checks (the walk itself works)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get(path.join('cli', 'main.ts'))?.length).toBeGreaterThan(0);
  });

  it('has no import against the layer direction', () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      for (const d of deps) if (!allowed(f, d)) bad.push(`${f} → ${d}`);
    }
    expect(bad).toEqual([]);
  });

  it('lets the extension import lsp/protocol.ts and nothing else of ours, and that file imports nothing', () => {
    expect(allowed(path.join('vscode-extension', 'src', 'extension.ts'), PROTOCOL)).toBe(true);
    expect(allowed(path.join('vscode-extension', 'src', 'extension.ts'), path.join('lsp', 'server.ts'))).toBe(false);
    expect(allowed(path.join('vscode-extension', 'src', 'extension.ts'), path.join('compiler', 'plan', 'schema.ts'))).toBe(false);
    // the extension really uses the shared contract (no second copy under vscode-extension/src)
    expect([...graph].filter(([f, deps]) => layerOf(f) === 'vscode-extension' && deps.includes(PROTOCOL)).length).toBeGreaterThan(0);
    const info = ts.preProcessFile(readFileSync(path.join(ROOT, PROTOCOL), 'utf8'), true, true);
    expect(info.importedFiles.map((f) => f.fileName)).toEqual([]);
  });

  it('imports only files that exist (a moved file leaves no stale path)', () => {
    const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d) && !/\.json$/.test(d)).map((d) => `${f} → ${d}`));
    expect(missing).toEqual([]);
  });

  it('has no circles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the cycle finder finds a planted circle', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });
});
