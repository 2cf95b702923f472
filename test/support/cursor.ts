// Cursor markers in test fixtures, as Langium's test helpers use them: `<|>` marks where the editor's cursor is.
// `cursor` removes it and says where it was (offset and LSP position), so a completion or hover test is the
// fixture text itself: `expectCompletion('dataset d: <|>', …)`.
import type { Position } from 'vscode-languageserver-protocol';
import { LineIndex } from '../../base/source.js';

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

/** The LSP position (0-based line, UTF-16 character) of `offset` in `text`. Lines end at `\n`, `\r\n` or a lone
 *  `\r`, as LSP says (and as the server's TextDocument applies a change): counting `\n` only put every position
 *  after a lone `\r` one line off, so an edit sent by a test landed elsewhere in the server's copy of the text. */
export function positionAt(text: string, offset: number): Position {
  return new LineIndex(text).position(offset);
}

/** `text` with the marker inserted right after the first occurrence of `after` (plus `insert` before it). */
export function markAfter(text: string, after: string, insert = ''): string {
  const i = text.indexOf(after);
  if (i < 0) throw new Error(`not in the text: ${after}`);
  return text.slice(0, i + after.length) + insert + MARKER + text.slice(i + after.length);
}
