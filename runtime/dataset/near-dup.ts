// Near-duplicate detection: MinHash signatures over word 3-shingles with LSH banding find candidate pairs in
// time linear in rows; each candidate is then confirmed with the *exact* Jaccard similarity of the two
// shingle sets against the clause's threshold, so a reported duplicate is always a true one (precision 1). Hash
// functions derive from the dataset seed, so the same rows are removed on every run, shard merge and resume.
//
// Adversarial corpora (templated text, shared prefixes, thousands of near-identical rows) make LSH buckets
// grow with the rows and every row a candidate of every other: quadratic. Three bounds keep it near-linear:
//   - the banding (b bands of r rows) is derived from the threshold (`lshBanding`): the largest r whose
//     candidate probability at the threshold is still ≥ 99.9 %, so pairs well below it rarely collide;
//   - a bucket holds at most MAX_BUCKET rows (the first ones, in index order: deterministic); a full bucket
//     means many kept rows already share that band, and a later row is still found through its other bands;
//   - at most MAX_CANDIDATES exact Jaccard checks per row, those sharing the most bands first.
// Exact copies (the same shingle set) are found apart from the bands, by a hash of the whole signature, so no
// bound ever lets one through.
// The bounds can only miss a duplicate (recall < 1 on such corpora), never invent one; bench/dedup measures both.
import { hashString } from '../../compiler/plan/random.js';

const NUM_HASHES = 64;
/** rows kept per LSH bucket at most (see the header) */
export const MAX_BUCKET = 256;
/** exact Jaccard checks per row at most (see the header) */
export const MAX_CANDIDATES = 128;
/** probability that a pair exactly at the threshold becomes a candidate, at least */
const RECALL_AT_THRESHOLD = 0.999;

/**
 * LSH banding for a Jaccard threshold t over `hashes` MinHash values: `rows` per band and `bands` (rows × bands
 * ≤ hashes). A pair of Jaccard s shares a band with probability 1 − (1 − s^r)^b — the S-curve of Leskovec,
 * Rajaraman & Ullman, "Mining of Massive Datasets", 3rd ed., §3.4.2–3.4.3 (its threshold is ≈ (1/b)^(1/r)).
 * Picks the largest r (steepest curve, fewest candidates below t) with 1 − (1 − t^r)^b ≥ 99.9 % at b = ⌊hashes / r⌋.
 */
export function lshBanding(t: number, hashes = NUM_HASHES): { rows: number; bands: number } {
  let best = { rows: 1, bands: hashes };
  for (let r = 1; r <= hashes; r++) {
    const b = Math.floor(hashes / r);
    if (1 - Math.pow(1 - Math.pow(t, r), b) >= RECALL_AT_THRESHOLD) best = { rows: r, bands: b };
  }
  return best;
}

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

/** FNV-1a over a signature's values (a number key: a Map of numbers is far smaller than one of strings). */
function wholeHash(sig: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < sig.length; i++) h = Math.imul(h ^ sig[i]!, 0x01000193) >>> 0;
  return h;
}

function growTo(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(Math.max(n + 1, a.length * 2));
  b.set(a);
  return b;
}

export class NearDuplicateIndex {
  private readonly a: Uint32Array;
  private readonly b: Uint32Array;
  /** band key (band index × 2³² + band hash) → ids; a single id is stored unboxed (most buckets hold one) */
  private readonly bands = new Map<number, number | number[]>();
  /** the last keys made or decoded, so signature → isDuplicate → addSignature decodes once */
  private readonly recent = new Map<string, Entry>();
  private readonly entries: Entry[] = [];
  /** hash of a whole signature → the first row added with it (exact copies, whatever the bucket bounds) */
  private readonly whole = new Map<number, number>();
  /** per row id: bands shared with the row being looked up (zero between lookups) */
  private counts: Uint8Array = new Uint8Array(1024);
  private readonly rowsPerBand: number;
  private readonly numBands: number;

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
    const { rows, bands } = lshBanding(Math.min(1, Math.max(0, threshold)));
    this.rowsPerBand = rows;
    this.numBands = bands;
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
    const keys: number[] = new Array(this.numBands);
    const rows = this.rowsPerBand;
    for (let b = 0; b < this.numBands; b++) {
      let h = b + 1;
      for (let r = 0; r < rows; r++) h = (Math.imul(h ^ sig[b * rows + r]!, 0x01000193) + 0x9e3779b9) >>> 0;
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

  /** Is the row of `key` at Jaccard ≥ threshold with a row added before? Checks at most MAX_CANDIDATES rows:
   *  those sharing the most bands first (the share of bands two rows have in common grows with their
   *  similarity, so the likeliest duplicates are checked before the crowd of near misses a template makes),
   *  then in band order (deterministic: the same index state gives the same order). */
  isDuplicate(key: string, threshold = this.threshold): boolean {
    const e = this.decode(key);
    const same = this.whole.get(wholeHash(e.sig));
    if (same !== undefined && jaccardSorted(e.set, this.entries[same]!.set) >= threshold) return true;
    // Count the bands each candidate shares (a counter per row id, reset after: no Map per lookup), then check
    // candidates by shares, most first, in band order (a counting sort: shares are 1 … numBands).
    const counts = this.counts.length >= this.entries.length ? this.counts : (this.counts = growTo(this.counts, this.entries.length));
    const touched: number[] = [];
    for (const bk of this.bandKeys(e.sig)) {
      const bucket = this.bands.get(bk);
      if (bucket === undefined) continue;
      if (typeof bucket === 'number') {
        if (counts[bucket]++ === 0) touched.push(bucket);
      } else for (const id of bucket) if (counts[id]++ === 0) touched.push(id);
    }
    let found = false;
    if (touched.length) {
      const byShares: number[][] = Array.from({ length: this.numBands + 1 }, () => []);
      for (const id of touched) byShares[counts[id]!]!.push(id);
      let checks = 0;
      outer: for (let c = this.numBands; c >= 1; c--) {
        for (const id of byShares[c]!) {
          if (jaccardSorted(e.set, this.entries[id]!.set) >= threshold) {
            found = true;
            break outer;
          }
          if (++checks >= MAX_CANDIDATES) break outer;
        }
      }
    }
    for (const id of touched) counts[id] = 0;
    return found;
  }

  addSignature(key: string): void {
    const e = this.decode(key);
    const id = this.entries.length;
    this.entries.push(e);
    const wh = wholeHash(e.sig);
    if (!this.whole.has(wh)) this.whole.set(wh, id);
    for (const bk of this.bandKeys(e.sig)) {
      const bucket = this.bands.get(bk);
      if (bucket === undefined) this.bands.set(bk, id);
      else if (typeof bucket === 'number') this.bands.set(bk, [bucket, id]);
      else if (bucket.length < MAX_BUCKET) bucket.push(id);
    }
  }
}
