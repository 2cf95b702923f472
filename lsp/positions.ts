// Offsets (what the compiler speaks: UTF-16 offsets into a file's text) ↔ LSP positions and ranges, and file
// paths ↔ URIs. LSP positions are also UTF-16 based, so no re-encoding is needed.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Position, Range } from 'vscode-languageserver';
import type { Span } from '../grammar/ast.js';
import { LineIndex } from '../base/source.js';

/** A UTF-16 offset → an LSP position (0-based line and UTF-16 character). */
export function toPosition(lines: LineIndex, offset: number): Position {
  return lines.position(offset);
}

/** A span → an LSP range (an inverted span becomes empty at its start). */
export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(Math.max(span.start, span.end)) };
}

/** An LSP position → a UTF-16 offset (clamped to the text by LineIndex). */
export function toOffset(lines: LineIndex, pos: Position): number {
  return lines.offset(pos);
}

/** A document URI → an absolute file path; `untitled:` and other schemes get a stable pseudo-path in the working folder. */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return path.resolve(fileURLToPath(uri));
    } catch {
      // fall through
    }
  }
  // untitled: and other schemes: a stable pseudo-path, so imports resolve relative to the working folder
  return path.resolve(uri.replace(/^[a-z]+:\/*/i, '').replace(/[^\w./-]/g, '_') || 'untitled.synth');
}

/** An absolute file path → its `file:` URI. */
export function pathToUri(p: string): string {
  return pathToFileURL(p).href;
}

/** Whether `offset` lies in `span`, both ends included (a cursor right after a name is on it). */
export function spanContains(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

export { LineIndex };
