// A program is an entry file plus everything it imports (transitively). Imports are resolved relative to the
// importing file; all declarations of the closure share one namespace. Reading goes through a host so the
// language server can serve unsaved editor buffers.
import { readFileSync, readlinkSync, realpathSync, statSync, lstatSync } from 'node:fs';
import * as path from 'node:path';
import type * as A from '../grammar/ast.js';
import { makeDiagnostic, type Diagnostic } from '../base/diagnostics.js';
import type { Span } from '../base/span.js';
import { parseSynth } from '../grammar/parse.js';
import { LineIndex } from '../base/source.js';

export interface SourceText {
  path: string;
  text: string;
  ast: A.SynthFile;
  lines: LineIndex;
}

export interface Host {
  /** The file's text, or undefined when it cannot be read. */
  readFile(p: string): string | undefined;
  /** Parses a file; the language server supplies a caching version. */
  parse?(text: string, p: string): { file: A.SynthFile; diagnostics: Diagnostic[] };
}

export const fsHost: Host = {
  readFile(p) {
    try {
      // only regular files: a device or FIFO (`synth fmt --write /dev/null`) would read as empty or block, and
      // fmt's atomic rename would then replace it; unreadableSpec says why (SYN1050 "not a regular file")
      if (!statSync(p).isFile()) return undefined;
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/**
 * Why the spec file `p` (absolute) could not be read, as the diagnostic to report at `span` of `file`: SYN1008
 * when nothing is there, SYN1050 with the reason (a folder, a link to nothing, no permission) otherwise; `shown`
 * is the path as the user wrote it. Reads only file metadata.
 */
export function unreadableSpec(p: string, shown: string, file: string, span: Span, missing: () => Diagnostic): Diagnostic {
  let reason: string | undefined;
  try {
    const st = statSync(p);
    if (st.isDirectory()) reason = 'it is a folder, not a .synth file';
    else if (!st.isFile()) reason = 'it is not a regular file';
    else {
      try {
        readFileSync(p, { encoding: 'utf8', flag: 'r' });
        // readable here: the host (an editor's buffers) does not have it
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `it could not be read (${code ?? 'unknown error'})`;
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      try {
        if (lstatSync(p).isSymbolicLink()) reason = `it is a symbolic link to '${readlinkSync(p)}', which does not exist`;
      } catch {
        // nothing there at all
      }
    } else if (code === 'ENOTDIR') reason = 'part of the path is a file, not a folder';
    else if (code === 'ELOOP') reason = 'a loop of symbolic links';
    else if (code === 'EACCES' || code === 'EPERM') reason = 'permission denied';
    else reason = `it could not be read (${code ?? 'unknown error'})`;
  }
  return reason === undefined ? missing() : makeDiagnostic('SYN1050', file, span, { path: shown, reason });
}

export interface Program {
  entry: string;
  files: Map<string, SourceText>;
  /** Files in dependency order: imports before importers, the entry last. */
  order: string[];
  diagnostics: Diagnostic[];
}

/**
 * Reads and parses `entry` and, transitively, every file it imports (paths relative to the importing file),
 * through `host` (`entryText` replaces the entry's text). Files come in dependency order, the entry last. Never
 * throws: a missing entry is SYN1008, a missing import SYN1003, one that exists but cannot be read (a folder, a
 * link to nothing) SYN1050, an import cycle SYN1007, syntax errors SYN0xxx,
 * all in `diagnostics`.
 */
export function loadProgram(entry: string, host: Host = fsHost, entryText?: string): Program {
  const files = new Map<string, SourceText>();
  const order: string[] = [];
  const diagnostics: Diagnostic[] = [];
  // Files are known by their real path (symbolic links resolved): a file imported once directly and once through
  // a link is one file, not two whose declarations clash (SYN1002) or that import each other "in a cycle".
  const visiting = new Set<string>();
  const loaded = new Set<string>();
  // memoised for this load only: links may change between loads (the language server loads again per edit)
  const reals = new Map<string, string>();
  const realOf = (p: string): string => {
    let r = reals.get(p);
    if (r === undefined) {
      try {
        r = realpathSync.native(p);
      } catch {
        r = p; // a missing file, or an editor's unsaved buffer
      }
      reals.set(p, r);
    }
    return r;
  };
  const parse = host.parse ?? parseSynth;

  // Depth-first, post-order, with an explicit stack of files being visited (their imports not all done): a chain of
  // thousands of imports must not overflow the call stack, and a cycle's path is read off the stack.
  const stack: Array<{ p: string; imports: readonly A.ImportDecl[]; next: number }> = [];
  const enter = (p: string, text: string) => {
    visiting.add(realOf(p));
    loaded.add(realOf(p));
    const { file, diagnostics: ds } = parse(text, p);
    for (const d of ds) diagnostics.push(d); // not push(...ds): a file can have more diagnostics than call arguments fit
    files.set(p, { path: p, text, ast: file, lines: new LineIndex(text) });
    stack.push({ p, imports: file.imports, next: 0 });
  };
  const walk = () => {
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next === top.imports.length) {
        stack.pop();
        visiting.delete(realOf(top.p));
        order.push(top.p);
        continue;
      }
      const imp = top.imports[top.next++]!;
      // relative to where the importing file really is, so a file reached through a link imports the same files
      // whatever path reached it (as Node resolves modules); named by the path as written from the importer when
      // that is the same file (a project folder reached through a link keeps its paths in messages)
      const lexical = path.resolve(path.dirname(top.p), imp.path.value);
      const viaReal = path.resolve(path.dirname(realOf(top.p)), imp.path.value);
      const target = viaReal === lexical || realOf(viaReal) === realOf(lexical) ? lexical : viaReal;
      const real = realOf(target);
      if (visiting.has(real)) {
        // the cycle itself, from the file imported again (the files above it in the stack only lead to it)
        const from = stack.findIndex((f) => realOf(f.p) === real);
        // named relative to the entry's folder (base names alone read `a.synth → a.synth` for two folders' files)
        const cycle = [...stack.slice(from).map((f) => f.p), target].map((x) => path.relative(path.dirname(abs), x) || path.basename(x)).join(' → ');
        diagnostics.push(makeDiagnostic('SYN1007', top.p, imp.path.span, { cycle }));
        continue;
      }
      if (loaded.has(real)) continue;
      const t = host.readFile(target);
      if (t === undefined) {
        diagnostics.push(unreadableSpec(target, imp.path.value, top.p, imp.path.span, () => makeDiagnostic('SYN1003', top.p, imp.path.span, { path: imp.path.value })));
        continue;
      }
      enter(target, t);
    }
  };

  const abs = path.resolve(entry);
  const text = entryText ?? host.readFile(abs);
  if (text === undefined) {
    const at = { start: 0, end: 0 };
    diagnostics.push(entryText === undefined ? unreadableSpec(abs, entry, abs, at, () => makeDiagnostic('SYN1008', abs, at, { path: entry })) : makeDiagnostic('SYN1008', abs, at, { path: entry }));
    return { entry: abs, files, order, diagnostics };
  }
  enter(abs, text);
  walk();
  return { entry: abs, files, order, diagnostics };
}
