#!/usr/bin/env node
// Builds the VS Code extension in vscode-extension/ (see docs/editor.md):
//  - syntaxes/synth.tmLanguage.json from syntaxes/synth-grammar.mjs (rewritten only when it changed);
//  - dist/extension.js: the client (vscode-extension/src/extension.ts), CommonJS, `vscode` left external;
//  - dist/server.js: the language server (lsp/server-main.ts and everything it imports, Chevrotain included),
//    one self-contained CommonJS file, since VS Code loads CommonJS and the .vsix ships no node_modules.
// Usage: node scripts/build-extension.mjs [--minify] [--watch] [--server-entry=FILE]
//   --server-entry bundles another server entry (a development stub) instead of lsp/server-main.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { grammarJson } from '../vscode-extension/syntaxes/synth-grammar.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXT = path.join(ROOT, 'vscode-extension');
const minify = process.argv.includes('--minify');
const watch = process.argv.includes('--watch');

function writeIfChanged(file, text) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}

if (writeIfChanged(path.join(EXT, 'syntaxes/synth.tmLanguage.json'), grammarJson())) {
  console.log('wrote vscode-extension/syntaxes/synth.tmLanguage.json');
}

const entryArg = process.argv.find((a) => a.startsWith('--server-entry='));
const serverEntry = entryArg ? path.resolve(entryArg.slice('--server-entry='.length)) : path.join(ROOT, 'lsp/server-main.ts');
if (!existsSync(serverEntry)) {
  console.error(`build-extension: ${path.relative(ROOT, serverEntry)} is missing (the language server entry: create a connection, call startServer)`);
  process.exit(1);
}

const rootVersion = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

/** @type {esbuild.Plugin} */
const serverPlugins = {
  name: 'synth-server',
  setup(build) {
    // compiler/version.ts finds package.json from import.meta.url; the bundle has neither, so pin the version.
    build.onLoad({ filter: /[\\/]compiler[\\/]version\.ts$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(rootVersion)};\n`,
      loader: 'ts',
    }));
  },
};

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  minify,
  logLevel: 'warning',
  legalComments: 'none',
};

const builds = [
  {
    ...common,
    entryPoints: [path.join(EXT, 'src/extension.ts')],
    outfile: path.join(EXT, 'dist/extension.js'),
    external: ['vscode'],
    tsconfig: path.join(EXT, 'tsconfig.json'),
  },
  {
    ...common,
    entryPoints: [serverEntry],
    outfile: path.join(EXT, 'dist/server.js'),
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // ESM sources (Chevrotain, our own modules) become CommonJS; `import.meta.url` points at the bundle itself.
    define: { 'import.meta.url': '__synth_import_meta_url' },
    banner: { js: 'const __synth_import_meta_url = require("url").pathToFileURL(__filename).href;' },
    mainFields: ['module', 'main'],
    plugins: [serverPlugins],
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('build-extension: watching');
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`build-extension: dist/extension.js, dist/server.js (${Date.now() - started} ms)`);
}
