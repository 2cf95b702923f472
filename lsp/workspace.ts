// Open documents and their analyses. A document's analysis is the compiler's own pipeline — `loadProgram` +
// `checkProgram` — run with a host that serves unsaved buffers and parses incrementally (incremental-parse.ts),
// and checked incrementally with the document's CheckSession (compiler/check/session.ts). An analysis is valid
// until the next analysis of the same document, which reuses the session's tables.
//
// Life of an edit: `update()` stores the new text and bumps a generation counter, which makes every cached
// analysis stale (a change to one file can change the diagnostics of files importing it). Analyses are
// computed lazily: a request computes its document's analysis on demand (so it always answers for the text it
// was asked about), and published diagnostics are computed after a debounce; a newer edit cancels a pending
// publication. Parsing and checking never throw (compiler invariant); a bug that throws anyway is caught by
// the server's handler guard.
import { readFileSync } from 'node:fs';
import type * as A from '../grammar/ast.js';
import type { Diagnostic } from '../base/diagnostics.js';
import { LineIndex } from '../base/source.js';
import { checkProgram, type CheckResult } from '../compiler/check.js';
import { CheckSession } from '../compiler/check/session.js';
import { loadProgram, type Host, type SourceText } from '../compiler/program.js';
import { DocumentParser } from './incremental-parse.js';
import { pathToUri, uriToPath } from './positions.js';

export interface Document {
  uri: string;
  path: string;
  version: number;
  text: string;
}

/** Everything a feature handler needs about one document, for one version of the workspace. */
export interface Analysis {
  doc: Document;
  /** the document's own source (text, AST, line index) */
  source: SourceText;
  result: CheckResult;
  /** the check session the result came from: its `stampOf(decl)` keys what features cache per declaration */
  session: CheckSession;
  /** diagnostics located in this document */
  diagnostics: Diagnostic[];
  workspace: Workspace;
  generation: number;
}

export interface WorkspaceOptions {
  /** delay between the last edit and publishing diagnostics */
  debounceMs: number;
}

/** The open documents and what the server knows about them: texts, incremental parsers and check sessions, and one cached Analysis per document and generation. */
export class Workspace {
  private readonly docs = new Map<string, Document>();
  private readonly uriByPath = new Map<string, string>();
  private readonly parsers = new Map<string, DocumentParser>();
  private readonly analyses = new Map<string, Analysis>();
  /** per open document: the incremental checker state of its program (an analysis is valid until the next) */
  private readonly sessions = new Map<string, CheckSession>();
  /** texts of files read from disk, for imports that are not open */
  private readonly disk = new Map<string, string | undefined>();
  private generation = 0;

  readonly host: Host = {
    readFile: (p) => {
      const uri = this.uriByPath.get(p);
      const doc = uri ? this.docs.get(uri) : undefined;
      if (doc) return doc.text;
      if (!this.disk.has(p)) {
        let t: string | undefined;
        try {
          t = readFileSync(p, 'utf8');
        } catch {
          t = undefined;
        }
        this.disk.set(p, t);
      }
      return this.disk.get(p);
    },
    parse: (text, p) => this.parser(p).parse(text),
  };

  constructor(readonly options: WorkspaceOptions = { debounceMs: 150 }) {}

  parser(p: string): DocumentParser {
    let parser = this.parsers.get(p);
    if (!parser) {
      parser = new DocumentParser(p);
      this.parsers.set(p, parser);
    }
    return parser;
  }

  open(uri: string, text: string, version: number): Document {
    const doc: Document = { uri, path: uriToPath(uri), version, text };
    this.docs.set(uri, doc);
    this.uriByPath.set(doc.path, uri);
    this.disk.delete(doc.path);
    this.generation++;
    return doc;
  }

  update(uri: string, text: string, version: number): Document | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return this.open(uri, text, version);
    doc.text = text;
    doc.version = version;
    this.generation++;
    return doc;
  }

  close(uri: string): void {
    const doc = this.docs.get(uri);
    if (!doc) return;
    this.docs.delete(uri);
    this.uriByPath.delete(doc.path);
    this.analyses.delete(uri);
    this.sessions.delete(uri);
    this.parsers.delete(doc.path);
    this.generation++;
  }

  /** Files on disk may have changed (the client watches them): forget what was read. */
  filesChanged(): void {
    this.disk.clear();
    this.generation++;
  }

  get(uri: string): Document | undefined {
    return this.docs.get(uri);
  }

  documents(): Document[] {
    return [...this.docs.values()];
  }

  uriOf(p: string): string {
    return this.uriByPath.get(p) ?? pathToUri(p);
  }

  currentGeneration(): number {
    return this.generation;
  }

  /** The analysis of a document for the current workspace state (computed now if stale). */
  analyze(uri: string): Analysis | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    const cached = this.analyses.get(uri);
    if (cached && cached.generation === this.generation) return cached;
    const program = loadProgram(doc.path, this.host, doc.text);
    let session = this.sessions.get(uri);
    if (!session) {
      session = new CheckSession();
      this.sessions.set(uri, session);
    }
    const result = checkProgram(program, { session });
    const source = program.files.get(program.entry) ?? {
      path: doc.path,
      text: doc.text,
      ast: this.host.parse!(doc.text, doc.path).file,
      lines: new LineIndex(doc.text),
    };
    const analysis: Analysis = {
      doc,
      source,
      result,
      session,
      diagnostics: result.diagnostics.filter((d) => d.file === doc.path),
      workspace: this,
      generation: this.generation,
    };
    this.analyses.set(uri, analysis);
    return analysis;
  }

  /** The incremental checker's statistics for a document (for the benchmark). */
  sessionStats(uri: string): CheckSession['stats'] | undefined {
    return this.sessions.get(uri)?.stats;
  }

  /** Analyses of every open document (for workspace symbols and cross-file references). */
  analyzeAll(): Analysis[] {
    return this.documents()
      .map((d) => this.analyze(d.uri))
      .filter((a): a is Analysis => !!a);
  }

  /** The source of any file in an analysis' program (the document itself or one it imports). */
  sourceOf(analysis: Analysis, p: string): SourceText | undefined {
    if (p === analysis.doc.path) return analysis.source;
    const inProgram = analysis.result.program.files.get(p);
    if (inProgram) return inProgram;
    const text = this.host.readFile(p);
    if (text === undefined) return undefined;
    return { path: p, text, ast: this.host.parse!(text, p).file, lines: new LineIndex(text) };
  }
}

export type { A };
