// RFC 4180 records from a stream of text chunks: quoted cells may hold commas, doubled quotes and line breaks,
// and a record may span any number of chunks. The reader keeps only the record being read in memory.

export class CsvRecords {
  private cells: string[] = [];
  private cell = '';
  private quoted = false;
  /** the previous chunk ended on a quote inside a quoted cell: either a closing quote or half of `""` */
  private pendingQuote = false;
  /** a cell was started (so an empty last line is not a record of one empty cell) */
  private started = false;
  /** line of the file the current record starts on (1-based) */
  private line = 1;
  private recordLine = 1;

  /**
   * Feeds one chunk; calls `onRecord(cells, line)` for each record it completes (`line`: where the record
   * starts, 1-based). CRLF and LF both end records outside quotes.
   */
  push(chunk: string, onRecord: (cells: string[], line: number) => void): void {
    let i = 0;
    const n = chunk.length;
    if (this.pendingQuote) {
      this.pendingQuote = false;
      if (n > 0 && chunk[0] === '"') {
        this.cell += '"';
        i = 1;
      } else this.quoted = false;
    }
    while (i < n) {
      if (this.quoted) {
        const q = chunk.indexOf('"', i);
        if (q < 0) {
          this.countLines(chunk, i, n);
          this.cell += chunk.slice(i);
          return;
        }
        this.countLines(chunk, i, q);
        this.cell += chunk.slice(i, q);
        if (q + 1 >= n) {
          this.pendingQuote = true;
          return;
        }
        if (chunk[q + 1] === '"') {
          this.cell += '"';
          i = q + 2;
        } else {
          this.quoted = false;
          i = q + 1;
        }
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 44 /* , */) {
        this.cells.push(this.cell);
        this.cell = '';
        this.started = true;
        i++;
      } else if (c === 10 /* \n */) {
        this.endRecord(onRecord);
        this.line++;
        this.recordLine = this.line;
        i++;
      } else if (c === 13 /* \r */) {
        i++; // CR of CRLF (a lone CR outside quotes is dropped)
      } else if (c === 34 /* " */) {
        this.quoted = true;
        this.started = true;
        i++;
      } else {
        // a run of plain characters up to the next special one
        let j = i + 1;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13 || d === 34) break;
          j++;
        }
        this.cell += chunk.slice(i, j);
        this.started = true;
        i = j;
      }
    }
  }

  /**
   * Ends the input. Returns the last record if the text did not end with a line break, and whether that
   * record is complete (false: it ended inside a quoted cell — a file cut off mid-write).
   */
  end(): { cells: string[]; line: number; complete: boolean } | undefined {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.quoted = false;
    }
    if (!this.started && this.cell === '' && this.cells.length === 0) return undefined;
    const complete = !this.quoted;
    const cells = [...this.cells, this.cell];
    this.cells = [];
    this.cell = '';
    this.started = false;
    return { cells, line: this.recordLine, complete };
  }

  private endRecord(onRecord: (cells: string[], line: number) => void): void {
    if (!this.started && this.cell === '' && this.cells.length === 0) return; // blank line
    this.cells.push(this.cell);
    onRecord(this.cells, this.recordLine);
    this.cells = [];
    this.cell = '';
    this.started = false;
  }

  private countLines(s: string, from: number, to: number): void {
    for (let k = s.indexOf('\n', from); k >= 0 && k < to; k = s.indexOf('\n', k + 1)) this.line++;
  }
}
