// Near-duplicate detection: MinHash signatures over word 3-shingles with LSH banding, so each row is compared
// only with the rows sharing a band (linear in rows). The hash functions are derived from the dataset seed,
// so the same rows are removed on every run. A candidate found through LSH is confirmed by the estimated
// Jaccard similarity (fraction of equal MinHash values) against the clause's threshold.
import { hashString } from '../random.js';

const NUM_HASHES = 128;
const BANDS = 32; // 32 bands × 4 rows: candidates from Jaccard ≈ 0.4 up; the threshold check decides
const ROWS_PER_BAND = NUM_HASHES / BANDS;

export function shingles(text: string, k = 3): string[] {
  const words = text.toLowerCase().normalize('NFKC').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length < k) return [words.join(' ')];
  const out: string[] = [];
  for (let i = 0; i + k <= words.length; i++) out.push(words.slice(i, i + k).join(' '));
  return out;
}

export class NearDuplicateIndex {
  private readonly a: Uint32Array;
  private readonly b: Uint32Array;
  private readonly bands = new Map<string, number[]>();
  private readonly sigs: Uint32Array[] = [];

  constructor(
    seed: number,
    readonly threshold = 0.85,
  ) {
    this.a = new Uint32Array(NUM_HASHES);
    this.b = new Uint32Array(NUM_HASHES);
    for (let i = 0; i < NUM_HASHES; i++) {
      this.a[i] = hashString(`a${i}`, seed) | 1;
      this.b[i] = hashString(`b${i}`, seed);
    }
  }

  /** The MinHash signature of a text, encoded as `m:` + base64. */
  signature(text: string): string {
    const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
    for (const sh of new Set(shingles(text))) {
      const h = hashString(sh);
      for (let i = 0; i < NUM_HASHES; i++) {
        const v = (Math.imul(this.a[i]!, h) + this.b[i]!) >>> 0;
        if (v < sig[i]!) sig[i] = v;
      }
    }
    return 'm:' + Buffer.from(sig.buffer).toString('base64');
  }

  private decode(key: string): Uint32Array {
    const buf = Buffer.from(key.slice(2), 'base64');
    return new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  }

  private bandKeys(sig: Uint32Array): string[] {
    const keys: string[] = [];
    for (let b = 0; b < BANDS; b++) {
      let h = b;
      for (let r = 0; r < ROWS_PER_BAND; r++) h = (Math.imul(h ^ sig[b * ROWS_PER_BAND + r]!, 0x01000193) + 0x9e3779b9) >>> 0;
      keys.push(`${b}:${h}`);
    }
    return keys;
  }

  static similarity(x: Uint32Array, y: Uint32Array): number {
    let eq = 0;
    for (let i = 0; i < NUM_HASHES; i++) if (x[i] === y[i]) eq++;
    return eq / NUM_HASHES;
  }

  isDuplicate(key: string, threshold = this.threshold): boolean {
    const sig = this.decode(key);
    const seen = new Set<number>();
    for (const bk of this.bandKeys(sig)) {
      for (const id of this.bands.get(bk) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        if (NearDuplicateIndex.similarity(sig, this.sigs[id]!) >= threshold) return true;
      }
    }
    return false;
  }

  addSignature(key: string): void {
    const sig = this.decode(key);
    const id = this.sigs.length;
    this.sigs.push(sig);
    for (const bk of this.bandKeys(sig)) {
      const list = this.bands.get(bk);
      if (list) list.push(id);
      else this.bands.set(bk, [id]);
    }
  }
}
