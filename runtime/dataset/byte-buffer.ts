// Text on its way to a file, encoded into one reusable buffer as it comes. Why not an array of strings joined
// at flush: a flush every megabyte kept ten thousand rows' strings alive across several young-generation
// collections, which then copied and promoted them — most of a large run's garbage-collection time. Encoded at
// once, each string dies young and the bytes live off the JavaScript heap.

/** What an output file's buffer holds before it is flushed (the memory estimate counts it: runtime/sim/memory.ts). */
export const OUTPUT_BUFFER_BYTES = 256 * 1024;

export class ByteBuffer {
  private buf: Buffer;
  private used = 0;

  /** `capacity`: bytes held before `full` says so (text longer than that still fits: the buffer grows). */
  constructor(private readonly capacity = OUTPUT_BUFFER_BYTES) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes held. */
  get length(): number {
    return this.used;
  }

  /** Whether the bytes held reached the capacity (time to flush). */
  get full(): boolean {
    return this.used >= this.capacity;
  }

  /** Appends `text` as UTF-8. */
  add(text: string): void {
    // a UTF-16 unit is at most 3 bytes of UTF-8
    if (this.used + text.length * 3 > this.buf.length) this.grow(this.used + text.length * 3);
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  /** The bytes held, and empties the buffer (the view is valid until the next `add`). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.used);
    this.used = 0;
    return out;
  }

  /** Drops what is held. */
  clear(): void {
    this.used = 0;
  }

  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}
