// Splits document text into chunks of at most `tokens` tokens (counted with the real BPE tokenizer), where
// consecutive chunks share up to `overlap` tokens. Cuts fall on the tokenizer's own piece boundaries (words with
// their leading space, runs of punctuation, whitespace), so no word or multi-byte character is ever split and
// every chunk is a verbatim slice of the text. Each chunk's count is the tokenizer's count of that slice.
//
// Text is data: nothing here (or downstream) interprets `{...}` or special-token strings in it.
import { synthError } from '../../base/diagnostics.js';
import { getEncoder, piecePattern, type EncodingName } from '../llm/tokens.js';

export interface ChunkOptions {
  /** max tokens per chunk */
  tokens: number;
  /** tokens shared with the previous chunk (< tokens) */
  overlap: number;
  encoding?: EncodingName;
}

export interface Chunk {
  index: number;
  text: string;
  /** exact token count of `text` */
  tokens: number;
  /** UTF-16 offsets of the slice in the source text */
  start: number;
  end: number;
}

const MAX_PIECE = 256;

interface Piece {
  start: number;
  end: number;
  n: number;
}

export function chunkText(text: string, o: ChunkOptions): Chunk[] {
  if (!Number.isInteger(o.tokens) || o.tokens < 1 || !Number.isInteger(o.overlap) || o.overlap < 0 || o.overlap >= o.tokens) {
    throw synthError('SYN5016', { tokens: o.tokens, overlap: o.overlap });
  }
  if (text.length === 0) return [];
  const enc = getEncoder(o.encoding);
  const memo = new Map<string, number>();
  const count = (s: string): number => {
    if (s.length > 64) return enc.encode(s, [], []).length;
    let n = memo.get(s);
    if (n === undefined) {
      n = enc.encode(s, [], []).length;
      memo.set(s, n);
    }
    return n;
  };

  // 1. Pieces: the tokenizer's pre-split (a token never crosses a piece), each with its token count.
  const pieces: Piece[] = [];
  const add = (start: number, end: number) => {
    // BPE cost grows with the square of a piece's length: long runs (minified data, a line of '=') are cut into
    // bounded segments before counting.
    if (end - start > MAX_PIECE) {
      for (let s = start; s < end; ) {
        let e = Math.min(end, s + MAX_PIECE);
        const c = text.charCodeAt(e);
        if (e < end && c >= 0xdc00 && c <= 0xdfff) e++;
        add(s, e);
        s = e;
      }
      return;
    }
    const n = count(text.slice(start, end));
    if (n <= o.tokens) pieces.push({ start, end, n });
    else {
      // A single piece longer than a chunk (a huge run of one character class): halve it at a code point.
      let mid = start + Math.floor((end - start) / 2);
      const c = text.charCodeAt(mid);
      if (c >= 0xdc00 && c <= 0xdfff) mid++;
      add(start, mid);
      add(mid, end);
    }
  };
  const re = piecePattern(o.encoding);
  let at = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > at) add(at, m.index);
    if (m[0].length) add(m.index, m.index + m[0].length);
    at = m.index + m[0].length;
  }
  if (at < text.length) add(at, text.length);

  // 2. Greedy chunks over pieces; the next chunk starts so that it repeats at most `overlap` tokens.
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < pieces.length) {
    let j = i;
    let sum = 0;
    while (j < pieces.length && sum + pieces[j]!.n <= o.tokens) sum += pieces[j++]!.n;
    // The real count of the slice can differ from the sum at its edges: trim until it fits.
    let slice = text.slice(pieces[i]!.start, pieces[j - 1]!.end);
    let real = count(slice);
    while (real > o.tokens && j - 1 > i) {
      j--;
      slice = text.slice(pieces[i]!.start, pieces[j - 1]!.end);
      real = count(slice);
    }
    chunks.push({ index: chunks.length, text: slice, tokens: real, start: pieces[i]!.start, end: pieces[j - 1]!.end });
    if (j >= pieces.length) break;
    let k = j;
    let back = 0;
    while (k - 1 > i && back + pieces[k - 1]!.n <= o.overlap) back += pieces[--k]!.n;
    i = k;
  }
  return chunks;
}
