// Cursor markers in test fixtures, as Langium's test helpers use them: `<|>` marks where the editor's cursor is.
// `cursor` removes it and says where it was (offset and LSP position), so a completion or hover test is the
// fixture text itself: `expectCompletion('dataset d: <|>', …)`.
import type { Position } from 'vscode-languageserver-protocol';

export const MARKER = '<|>';

export interface CursorText {
  /** the text without the marker */
  text: string;
  /** where the marker was: a UTF-16 offset into `text` */
  offset: number;
  /** the same place as an LSP position (0-based line, UTF-16 character) */
  position: Position;
}

/** Removes the one `<|>` marker from a fixture, returning the text and the cursor. Throws without exactly one. */
export function cursor(withMarker: string): CursorText {
  const offset = withMarker.indexOf(MARKER);
  if (offset < 0) throw new Error('fixture has no <|> marker');
  if (withMarker.indexOf(MARKER, offset + 1) >= 0) throw new Error('fixture has more than one <|> marker');
  const text = withMarker.slice(0, offset) + withMarker.slice(offset + MARKER.length);
  return { text, offset, position: positionAt(text, offset) };
}

/** The LSP position (0-based line, UTF-16 character) of `offset` in `text`. */
export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** `text` with the marker inserted right after the first occurrence of `after` (plus `insert` before it). */
export function markAfter(text: string, after: string, insert = ''): string {
  const i = text.indexOf(after);
  if (i < 0) throw new Error(`not in the text: ${after}`);
  return text.slice(0, i + after.length) + insert + MARKER + text.slice(i + after.length);
}
