// A half-open range of UTF-16 code-unit offsets into one file's text: what every AST node and diagnostic
// carries. Line and column are derived on demand (source.ts), so nodes stay cheap.

/** `[start, end)` in UTF-16 code units; `start <= end`. */
export interface Span {
  start: number;
  end: number;
}
