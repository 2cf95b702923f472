// Near-duplicate detection: MinHash signatures over word 3-shingles with LSH banding find candidate pairs in
// time linear in rows; each candidate is then confirmed with the *exact* Jaccard similarity of the two
// shingle sets against the clause's threshold, so the result has no estimation noise: a planted copy at
// Jaccard 0.85 is always removed at `similarity 0.8`, a distinct row never is. Hash functions derive from the
// dataset seed, so the same rows are removed on every run.
import { hashString } from '../../compiler/plan/random.js';

const NUM_HASHES = 64;
const BANDS = 32; // 32 bands × 2 rows: a pair at Jaccard 0.5 becomes a candidate with probability 1 − 0.75³² ≈ 0.9999
const ROWS_PER_BAND = NUM_HASHES / BANDS;

export function shingles(text: string, k = 3): string[] {
  const words = text.toLowerCase().normalize('NFKC').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length < k) return [words.join(' ')];
  const out: string[] = [];
  for (let i = 0; i + k <= words.length; i++) out.push(words.slice(i, i + k).join(' '));
  return out;
}

interface Entry {
  sig: Uint32Array;
  set: Uint32Array; // sorted distinct shingle hashes
}

function b64(a: Uint32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}
function unb64(s: string): Uint32Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Uint32Array(buf.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}

/** Exact Jaccard similarity of two sorted sets of hashes. */
export function jaccardSorted(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union === 0 ? 1 : inter / union;
}

export class NearDuplicateIndex {
  private readonly a: Uint32Array;
  private readonly b: Uint32Array;
  /** band key (band index × 2³² + band hash) → ids; a single id is stored unboxed (most buckets hold one) */
  private readonly bands = new Map<number, number | number[]>();
  /** the last keys made or decoded, so signature → isDuplicate → addSignature decodes once */
  private readonly recent = new Map<string, Entry>();
  private readonly entries: Entry[] = [];

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

  /** A row's key: `m:` + MinHash signature + `:` + its shingle-hash set (base64), journaled for resume. */
  signature(text: string): string {
    const set = Uint32Array.from(new Set(shingles(text).map((s) => hashString(s)))).sort();
    const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
    for (const h of set) {
      for (let i = 0; i < NUM_HASHES; i++) {
        const v = (Math.imul(this.a[i]!, h) + this.b[i]!) >>> 0;
        if (v < sig[i]!) sig[i] = v;
      }
    }
    const key = `m:${b64(sig)}:${b64(set)}`;
    this.remember(key, { sig, set });
    return key;
  }

  private decode(key: string): Entry {
    const hit = this.recent.get(key);
    if (hit) return hit;
    const [, sig, set] = key.split(':');
    return this.remember(key, { sig: unb64(sig!), set: unb64(set ?? '') });
  }

  private remember(key: string, e: Entry): Entry {
    if (this.recent.size >= 64) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, e);
    return e;
  }

  private bandKeys(sig: Uint32Array): number[] {
    const keys: number[] = new Array(BANDS);
    for (let b = 0; b < BANDS; b++) {
      let h = b + 1;
      for (let r = 0; r < ROWS_PER_BAND; r++) h = (Math.imul(h ^ sig[b * ROWS_PER_BAND + r]!, 0x01000193) + 0x9e3779b9) >>> 0;
      keys[b] = b * 4294967296 + h;
    }
    return keys;
  }

  /** MinHash estimate of Jaccard similarity (for diagnostics and reports). */
  static similarity(x: Uint32Array, y: Uint32Array): number {
    let eq = 0;
    const n = Math.min(x.length, y.length, NUM_HASHES);
    for (let i = 0; i < n; i++) if (x[i] === y[i]) eq++;
    return eq / n;
  }

  static signatureOf(key: string): Uint32Array {
    return unb64(key.split(':')[1]!);
  }

  isDuplicate(key: string, threshold = this.threshold): boolean {
    const e = this.decode(key);
    const seen = new Set<number>();
    for (const bk of this.bandKeys(e.sig)) {
      const bucket = this.bands.get(bk);
      if (bucket === undefined) continue;
      for (const id of typeof bucket === 'number' ? [bucket] : bucket) {
        if (seen.has(id)) continue;
        seen.add(id);
        if (jaccardSorted(e.set, this.entries[id]!.set) >= threshold) return true;
      }
    }
    return false;
  }

  addSignature(key: string): void {
    const e = this.decode(key);
    const id = this.entries.length;
    this.entries.push(e);
    for (const bk of this.bandKeys(e.sig)) {
      const bucket = this.bands.get(bk);
      if (bucket === undefined) this.bands.set(bk, id);
      else if (typeof bucket === 'number') this.bands.set(bk, [bucket, id]);
      else bucket.push(id);
    }
  }
}
