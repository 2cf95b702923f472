// The extension's helpers that do not need VS Code: finding declarations (commands and fallback CodeLens),
// resolving and calling the `synth` CLI, reading the server's custom-request results.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayCommand, resolveCli, runArguments } from '../../vscode-extension/src/cli.js';
import { blankCommentsAndStrings, declarationAt, findDeclarations } from '../../vscode-extension/src/declarations.js';
import { asDocumentResult } from '../../vscode-extension/src/preview-result.js';
import { ROOT } from './support/textmate.js';

describe('findDeclarations', () => {
  it('finds every top-level declaration of an example with its extent', () => {
    const text = readFileSync(path.join(ROOT, 'examples/tickets/tickets.synth'), 'utf8');
    const decls = findDeclarations(text);
    expect(decls.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'goal ',
      'enum Tier',
      'enum Mood',
      'struct Ticket',
      'model writer',
      'prompt write_ticket',
      'dataset tickets',
    ]);
    const prompt = decls.find((d) => d.kind === 'prompt')!;
    expect(text.slice(prompt.start, prompt.end)).toMatch(/^prompt write_ticket\([\s\S]*"""\n\}$/);
    expect(text.slice(prompt.nameStart, prompt.nameStart + prompt.name.length)).toBe('write_ticket');
    const inTemplate = text.indexOf('Write the ticket they send');
    expect(declarationAt(decls, inTemplate, ['prompt'])?.name).toBe('write_ticket');
    expect(declarationAt(decls, inTemplate, ['dataset'])).toBeUndefined();
    expect(declarationAt(decls, text.indexOf('unique row.body'), ['dataset'])?.name).toBe('tickets');
  });

  it('ignores keywords and braces in comments and strings, and nested blocks', () => {
    const text = [
      '// dataset fake: T {',
      'prompt p(x: string) -> T {',
      '  user """',
      '    dataset inside_string: T {',
      '    a } brace and \\{ escaped',
      '    """',
      '}',
      '/* sim hidden {',
      '*/',
      'sim s {',
      '  rule r { if a { b = 1 } }',
      '}',
      'dataset d: T { count 1 }',
    ].join('\n');
    const decls = findDeclarations(text);
    expect(decls.map((d) => `${d.kind} ${d.name}`)).toEqual(['prompt p', 'sim s', 'dataset d']);
    expect(text.slice(decls[1]!.start, decls[1]!.end)).toBe('sim s {\n  rule r { if a { b = 1 } }\n}');
    expect(blankCommentsAndStrings('a "b{" // c\nd').length).toBe('a "b{" // c\nd'.length);
    expect(blankCommentsAndStrings('a "b{" // c\nd')).toBe('a "  "     \nd');
  });

  it('an unclosed body ends where the next declaration starts', () => {
    const text = 'dataset a: T {\n  count 1\n\ndataset b: T {\n  count 2\n}\n';
    const [a, b] = findDeclarations(text);
    expect(a!.name).toBe('a');
    expect(text.slice(a!.start, a!.end)).toBe('dataset a: T {\n  count 1');
    expect(b!.name).toBe('b');
    // an indented header inside a body is not a declaration
    expect(findDeclarations('dataset a: T {\n  model m\n  sim s {\n}').map((d) => d.name)).toEqual(['a']);
    const closed = findDeclarations('prompt p() -> T {\n}\ndataset b: T {\n}\n');
    expect(closed.map((d) => d.name)).toEqual(['p', 'b']);
  });
});

describe('synth CLI', () => {
  const files = new Map<string, string>();
  const base = {
    execPath: '/usr/bin/node',
    exists: (f: string) => files.has(f),
    readFile: (f: string) => files.get(f),
  };

  it('uses the setting, then the workspace install, then the repo build, then PATH', () => {
    files.clear();
    expect(resolveCli({ ...base, setting: '', folders: ['/w'] })).toEqual({ command: 'synth', args: [], env: {} });
    expect(resolveCli({ ...base, setting: '/opt/synth/main.js', folders: ['/w'] })).toEqual({
      command: '/usr/bin/node',
      args: ['/opt/synth/main.js'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(resolveCli({ ...base, setting: 'tools/synth', folders: ['/w'] }).command).toBe('/w/tools/synth');
    files.set('/w/package.json', '{ "name": "synth-lang" }');
    files.set('/w/dist/cli/main.js', '');
    expect(resolveCli({ ...base, setting: '', folders: ['/w'] }).args).toEqual(['/w/dist/cli/main.js']);
    files.set('/w/node_modules/.bin/synth', '');
    expect(resolveCli({ ...base, setting: '', folders: ['/w'] })).toEqual({ command: '/w/node_modules/.bin/synth', args: [], env: {} });
  });

  it('builds `synth run FILE --dataset NAME [--dry-run]`', () => {
    expect(runArguments('/w/a.synth', 'tickets', false)).toEqual(['run', '/w/a.synth', '--dataset', 'tickets']);
    expect(runArguments('/w/a.synth', 'tickets', true, ['--limit', '5'])).toEqual([
      'run', '/w/a.synth', '--dataset', 'tickets', '--dry-run', '--limit', '5',
    ]);
    expect(displayCommand('synth', ['run', '/w/my file.synth'])).toBe(`synth run '/w/my file.synth'`);
  });
});

describe('custom request results', () => {
  it('accepts the documented shape and the common alternatives', () => {
    expect(asDocumentResult('text')).toEqual({ content: 'text' });
    expect(asDocumentResult({ content: 'x', language: 'wgsl', title: 't' })).toEqual({ content: 'x', language: 'wgsl', title: 't' });
    expect(asDocumentResult({ markdown: '# p' })).toEqual({ content: '# p', language: 'markdown' });
    expect(asDocumentResult({ wgsl: 'fn main() {}' })).toEqual({ content: 'fn main() {}', language: 'wgsl' });
    const messages = asDocumentResult({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    expect(messages?.language).toBe('markdown');
    expect(messages?.content).toContain('Be brief.');
    expect(messages?.content).toMatch(/system[\s\S]*user/);
    expect(asDocumentResult({ modules: [{ name: 'step', code: 'fn a() {}' }, { name: 'init', wgsl: 'fn b() {}' }] })?.content).toMatch(
      /fn a\(\) \{\}[\s\S]*fn b\(\) \{\}/,
    );
    expect(asDocumentResult({ stages: [1] })).toEqual({ content: '{\n  "stages": [\n    1\n  ]\n}', language: 'json' });
    expect(asDocumentResult(null)).toBeUndefined();
  });
});
