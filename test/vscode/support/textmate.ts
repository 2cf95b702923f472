// Tokenizes Synth text with the extension's TextMate grammar, as VS Code does (vscode-textmate +
// vscode-oniguruma), for the grammar tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import oniguruma from 'vscode-oniguruma';
import vsctm from 'vscode-textmate';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const GRAMMAR_FILE = path.join(ROOT, 'vscode-extension/syntaxes/synth.tmLanguage.json');

export interface Token {
  text: string;
  line: number;
  /** Scopes without the root `source.synth`, outermost first. */
  scopes: string[];
}

let grammarPromise: Promise<vsctm.IGrammar> | undefined;

export function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) =>
        scopeName === 'source.synth' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_FILE, 'utf8'), GRAMMAR_FILE) : null,
    });
    const grammar = await registry.loadGrammar('source.synth');
    if (!grammar) throw new Error('source.synth did not load');
    return grammar;
  })();
  return grammarPromise;
}

export async function tokenize(text: string): Promise<Token[]> {
  const grammar = await loadGrammar();
  let state = vsctm.INITIAL;
  const tokens: Token[] = [];
  text.split('\n').forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      tokens.push({ text: line.slice(t.startIndex, t.endIndex), line: i, scopes: t.scopes.filter((s) => s !== 'source.synth') });
    }
    state = r.ruleStack;
  });
  return tokens;
}

/** A readable dump: one line per source line, then each non-blank token with its innermost scopes. */
export function dump(tokens: Token[], lines: string[]): string {
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(`${String(i + 1).padStart(3)}| ${line}`);
    for (const t of tokens) {
      if (t.line !== i || !t.text.trim()) continue;
      out.push(`   |   ${JSON.stringify(t.text)}  ${t.scopes.map((s) => s.replace(/\.synth$/, '')).join(' > ')}`);
    }
  });
  return out.join('\n') + '\n';
}

/** Scopes of the nth token whose text is exactly `text` (0-based n). */
export function scopesOf(tokens: Token[], text: string, nth = 0): string[] {
  const found = tokens.filter((t) => t.text === text);
  const t = found[nth];
  if (!t) throw new Error(`no token ${JSON.stringify(text)} #${nth} (tokens: ${tokens.map((x) => JSON.stringify(x.text)).join(' ')})`);
  return t.scopes;
}
