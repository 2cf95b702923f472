// Near-duplicate detection: MinHash signatures over word 3-shingles with LSH banding find candidate pairs in
// time linear in rows; each candidate is then confirmed with the *exact* Jaccard similarity of the two
// shingle sets against the clause's threshold, so a reported duplicate is always a true one (precision 1). Hash
// functions derive from the dataset seed, so the same rows are removed on every run, shard merge and resume.
//
// Adversarial corpora (templated text, shared prefixes, thousands of near-identical rows) make LSH buckets
// grow with the rows and every row a candidate of every other: quadratic. Three bounds keep it near-linear:
//   - the banding (b bands of r rows) is derived from the threshold (`lshBanding`): the largest r whose
//     candidate probability at the threshold is still ≥ 99.9 %, so pairs well below it rarely collide;
//   - a bucket holds at most MAX_BUCKET rows (the first ones, in index order: deterministic). A row whose
//     bucket is full goes one level deeper, keyed by that band *and the next one* (2r signature rows), then 3r,
//     up to LEVELS bands: the idea of the LSH Forest (Bawa, Condie & Ganesan, "LSH Forest: self-tuning indexes
//     for similarity search", WWW 2005), whose keys grow until a bucket is selective. On templated text rows
//     far below the threshold share a band often (at Jaccard 0.5, 1 in 16 for r = 4), so single-band buckets
//     fill with them; a longer key is shared by such rows rarely (1 in 256 at two bands) but by a true
//     duplicate still often (0.88⁸ ≈ 0.36), so the partner stays findable. A lookup walks down a band's levels
//     only while the bucket it meets is full (a row went deeper only past a full bucket, and buckets never
//     shrink), so diverse data costs one probe per band as before;
//   - at most MAX_CANDIDATES exact Jaccard checks per row, those sharing the most bands first.
// Exact copies (the same shingle set) are found apart from the bands, by a hash of the whole signature, so no
// bound ever lets one through.
// The bounds can only miss a duplicate (recall < 1 on such corpora), never invent one; bench/dedup measures both.
//
// What "the same words" means (`words`): text is NFKC-normalised (superscript and subscript characters kept:
// "10³" is not "103") and lower-cased, and a word is a run of anything but punctuation and spacing (white space,
// control and invisible format characters such as a soft hyphen or U+200B) — letters, digits, combining marks,
// symbols, emoji, private-use characters — with a number's sign, separators and percent kept (`-5`, `–5`, `1.5`,
// `50%`) and emoji that start with a punctuation character kept whole (`#️⃣`, `‼️`). Text with no word at all
// ("", "!!!") is one shingle of its whole normalised text, so it only matches itself.
// The shingles (`shingles`) are the word 3-grams of the text between a start and an end marker, the k-th repeat
// of a 3-gram counted as its own element: so Jaccard similarity is that of the multisets of 3-grams (repetition
// counts: "ha ha ha ha ha" is not "ha ha ha"), and where the text starts and ends counts ("y z x y z" is not
// "x y z x y"). Even so, two different word sequences can have the same multiset of 3-grams, so `similarity 1`
// is decided on the word sequences themselves (a hash of each): it removes a row only when its words are the
// words of a kept row — case, punctuation and spacing the only differences ignored ("hello world" after
// "Hello, world!"; never "ก้" after "ก่", "🎉" after "😀" or "*️⃣" after "#️⃣").
// Shingles are compared by 53-bit hashes (cyrb53): among n one-shingle rows, pairs sharing a b-bit hash number
// about n² / 2^(b+1) (the birthday bound), so 32-bit ones removed ~10 of 300,000 random short strings as copies;
// at 53 bits a wrong removal among a million such rows has probability ≈ (10⁶)² / 2⁵⁴ ≈ 6 · 10⁻⁵.
import { hashString } from '../../compiler/plan/random.js';
import { synthError } from '../../base/diagnostics.js';

const NUM_HASHES = 64;
/** rows kept per LSH bucket at most (see the header) */
export const MAX_BUCKET = 256;
/** key lengths, in bands, a row may be filed under when shorter keys' buckets are full (see the header) */
export const LEVELS = 4;
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

/**
 * A word (see the header): a run of anything but spacing (white space, control and invisible format characters)
 * and punctuation — so letters, digits, marks, symbols, emoji, private-use characters — where a number keeps its
 * sign (hyphen-minus, minus, en dash or figure dash), separators and a percent sign (`-5`, `1.5`, `12:30`,
 * `50%`), ZWNJ/ZWJ and emoji tags join, and punctuation that an emoji presentation selector or keycap follows is
 * the emoji it starts (`#️⃣`, `‼️`).
 */
const WORD = /(?:[-+\u2212\u2012\u2013]?\p{N}+(?:[.,:/]\p{N}+)*[%\u2030\u2031]?|[^\p{White_Space}\p{P}\p{Cc}\p{Cf}]|[\u200c\u200d\u{e0020}-\u{e007f}]|\p{P}(?=[\ufe0f\u20e3]))+/gu;
/** Starts the one shingle of a text with no words; no word contains it, so it never equals a word shingle. */
const NO_WORDS = '\u0001';
/** The markers before the first word and after the last (no word contains a control character). */
const START = '\u0002';
const END = '\u0003';
/** Superscript and subscript characters, which NFKC would fold into plain digits and letters ("10³" → "103"). */
const SUPER_SUB = /[\u00b2\u00b3\u00b9\u2070-\u209f]/gu;

/** NFKC and lower case, superscripts and subscripts kept apart (each moved to a private-use code point first). */
function normalise(text: string): string {
  return text.replace(SUPER_SUB, (c) => String.fromCodePoint(0xf0000 + c.codePointAt(0)!)).normalize('NFKC').toLowerCase();
}

/** The words of `text` as near-duplicate detection compares them (see the header). */
export function words(text: string): string[] {
  return normalise(text).match(WORD) ?? [];
}

/** The sequence of words `similarity 1` compares (see the header): the words, or a text with none itself. */
function wordSequence(text: string, words_: string[]): string {
  return words_.length ? words_.join(' ') : NO_WORDS + normalise(text).trim().replace(/\s+/gu, ' ');
}

/**
 * The shingles of `text` (see the header): its word k-grams between START and END, each repeat of a k-gram
 * tagged with its count (`a b c`, `a b c\u00042`, …); a text with no words is one shingle of itself.
 */
export function shingles(text: string, k = 3): string[] {
  return shinglesOf(text, words(text), k);
}

function shinglesOf(text: string, words_: string[], k = 3): string[] {
  if (words_.length === 0) return [wordSequence(text, words_)];
  const padded = [START, ...words_, END];
  const out: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i + k <= padded.length || (i === 0 && padded.length < k); i++) {
    const g = padded.slice(i, i + k).join(' ');
    const n = (seen.get(g) ?? 0) + 1;
    seen.set(g, n);
    out.push(n === 1 ? g : `${g}\u0004${n}`);
  }
  return out;
}

/**
 * cyrb53 (bryc, public domain: github.com/bryc/code, jshash/experimental/cyrb53.js): a 53-bit string hash, as
 * an integer in [0, 2⁵³), from two 32-bit multiply-xorshift lanes over UTF-16 code units.
 */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The sorted distinct 53-bit hashes of `text`'s shingles: the set whose exact Jaccard similarity decides. */
export function shingleSet(text: string): Float64Array {
  return Float64Array.from(new Set(shingles(text).map(hash53))).sort();
}

interface Entry {
  sig: Uint32Array;
  set: Float64Array; // sorted distinct 53-bit shingle hashes
  /** 53-bit hash of the word sequence (`similarity 1` compares these) */
  seq: number;
}

/** The prefix of a near-duplicate key; keys of the 32-bit format (`m:`, before 53-bit shingle hashes and word
 *  sequences) are refused. */
const KEY_PREFIX = 'n';

function b64(a: Uint32Array | Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}
function unb64(s: string): Uint32Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Uint32Array(buf.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}
function unb64f(s: string): Float64Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Float64Array(buf.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

/**
 * The size of the intersection of two sorted hash sets, by one merge; -1 as soon as it can no longer reach `need`
 * (what is left of the shorter side could not make up the difference). `need` −Infinity: never stops early.
 */
function intersection(a: Float64Array, b: Float64Array, need: number): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (inter + Math.min(a.length - i, b.length - j) < need) return -1;
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return inter;
}

/** Exact Jaccard similarity of two sorted sets of hashes. */
export function jaccardSorted(a: Float64Array, b: Float64Array): number {
  const inter = intersection(a, b, -Infinity);
  const union = a.length + b.length - inter;
  return union === 0 ? 1 : inter / union;
}

/**
 * Is the exact Jaccard similarity of two sorted hash sets ≥ t (0 < t ≤ 1)? Same answer as
 * `jaccardSorted(a, b) >= t`, sooner: J = I / (|a| + |b| − I) ≥ t ⟺ I ≥ t(|a| + |b|) / (1 + t), so the merge
 * stops once the intersection can no longer reach that (the size filter of Chaudhuri, Ganti & Kaushik, "A
 * primitive operator for similarity joins in data cleaning", ICDE 2006, applied as the merge goes). The early
 * exits keep a margin for rounding, and the final comparison is jaccardSorted's own, so the two never disagree.
 */
export function jaccardAtLeast(a: Float64Array, b: Float64Array, t: number): boolean {
  if (a.length + b.length === 0) return true;
  const need = (t * (a.length + b.length)) / (1 + t) - 1e-6;
  if (Math.min(a.length, b.length) < need) return false;
  const inter = intersection(a, b, need);
  if (inter < 0) return false;
  return inter / (a.length + b.length - inter) >= t;
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
  /** word-sequence hashes of the rows added (`similarity 1`) */
  private readonly sequences = new Set<number>();
  /** per row id: bands shared with the row being looked up (zero between lookups) */
  private counts: Uint8Array = new Uint8Array(1024);
  private readonly filedAtLevel: number[] = new Array<number>(LEVELS).fill(0);
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

  /**
   * A row's key: `n:` + MinHash signature + `:` + its shingle-hash set (base64) + `:` + its word sequence's hash
   * (base 36), journaled for resume and read again by `synth merge`.
   */
  signature(text: string): string {
    const w = words(text);
    const set = Float64Array.from(new Set(shinglesOf(text, w).map(hash53))).sort();
    const seq = hash53(wordSequence(text, w));
    const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
    for (const h of set) {
      // Math.imul takes h's low 32 bits: the MinHash permutations act on those, the exact check on all 53
      for (let i = 0; i < NUM_HASHES; i++) {
        const v = (Math.imul(this.a[i]!, h) + this.b[i]!) >>> 0;
        if (v < sig[i]!) sig[i] = v;
      }
    }
    const key = `${KEY_PREFIX}:${b64(sig)}:${b64(set)}:${seq.toString(36)}`;
    this.remember(key, { sig, set, seq });
    return key;
  }

  private decode(key: string): Entry {
    const hit = this.recent.get(key);
    if (hit) return hit;
    const [prefix, sig, set, seq] = key.split(':');
    if (prefix !== KEY_PREFIX || seq === undefined) throw synthError('SYN5032', {});
    return this.remember(key, { sig: unb64(sig!), set: unb64f(set ?? ''), seq: parseInt(seq, 36) });
  }

  private remember(key: string, e: Entry): Entry {
    if (this.recent.size >= 64) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, e);
    return e;
  }

  /** One hash per band of `rowsPerBand` signature values. */
  private bandHashes(sig: Uint32Array): Uint32Array {
    const out = new Uint32Array(this.numBands);
    const rows = this.rowsPerBand;
    for (let b = 0; b < this.numBands; b++) {
      let h = b + 1;
      for (let r = 0; r < rows; r++) h = (Math.imul(h ^ sig[b * rows + r]!, 0x01000193) + 0x9e3779b9) >>> 0;
      out[b] = h;
    }
    return out;
  }

  /** Bucket key of band `b` at `level` (1 … LEVELS): the band's hash chained with the next level − 1 bands'
   *  (cyclically), tagged with (level, band) so keys of different levels and bands never meet. */
  private levelKey(hashes: Uint32Array, b: number, level: number): number {
    let h = hashes[b]!;
    for (let l = 1; l < level; l++) h = (Math.imul(h ^ hashes[(b + l) % this.numBands]!, 0x01000193) + 0x9e3779b9) >>> 0;
    return ((level - 1) * this.numBands + b) * 4294967296 + h;
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
    // similarity 1: the same words, not just the same multiset of shingles (see the header)
    if (threshold >= 1) return this.sequences.has(e.seq);
    const same = this.whole.get(wholeHash(e.sig));
    if (same !== undefined && jaccardAtLeast(e.set, this.entries[same]!.set, threshold)) return true;
    // Count the bands each candidate shares (a counter per row id, reset after: no Map per lookup), then check
    // candidates by shares, most first, in band order (a counting sort: shares are 1 … numBands).
    const counts = this.counts.length >= this.entries.length ? this.counts : (this.counts = growTo(this.counts, this.entries.length));
    const touched: number[] = [];
    const hashes = this.bandHashes(e.sig);
    for (let b = 0; b < this.numBands; b++) {
      let deepest: number | number[] | undefined;
      for (let level = 1; level <= LEVELS; level++) {
        const bucket = this.bands.get(this.levelKey(hashes, b, level));
        if (bucket === undefined) break;
        deepest = bucket;
        if (typeof bucket === 'number' || bucket.length < MAX_BUCKET) break; // nothing was ever filed deeper
      }
      if (deepest === undefined) continue;
      if (typeof deepest === 'number') {
        if (counts[deepest]++ === 0) touched.push(deepest);
      } else for (const id of deepest) if (counts[id]++ === 0) touched.push(id);
    }
    let found = false;
    if (touched.length) {
      const byShares: number[][] = Array.from({ length: this.numBands + 1 }, () => []);
      for (const id of touched) byShares[counts[id]!]!.push(id);
      let checks = 0;
      outer: for (let c = this.numBands; c >= 1; c--) {
        for (const id of byShares[c]!) {
          if (jaccardAtLeast(e.set, this.entries[id]!.set, threshold)) {
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

  /** How many band entries were filed at each level (index 0 = single-band keys): for benchmarks and tests. */
  levelUse(): number[] {
    return [...this.filedAtLevel];
  }

  addSignature(key: string): void {
    const e = this.decode(key);
    this.sequences.add(e.seq);
    const id = this.entries.length;
    this.entries.push(e);
    const wh = wholeHash(e.sig);
    if (!this.whole.has(wh)) this.whole.set(wh, id);
    const hashes = this.bandHashes(e.sig);
    for (let b = 0; b < this.numBands; b++) {
      for (let level = 1; level <= LEVELS; level++) {
        const key = this.levelKey(hashes, b, level);
        const bucket = this.bands.get(key);
        if (bucket === undefined) this.bands.set(key, id);
        else if (typeof bucket === 'number') this.bands.set(key, [bucket, id]);
        else if (bucket.length < MAX_BUCKET) bucket.push(id);
        else continue; // full: file the row under the longer key
        this.filedAtLevel[level - 1]!++;
        break;
      }
    }
  }
}
