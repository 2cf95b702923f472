// "Did you mean …?" — the closest candidate by edit distance, if it is close enough to be a plausible typo.
//
// Bounded: a spec with thousands of unknown names, each looked up among thousands of declared names, must check
// in linear time (`synth check` on a 1 MB error-riddled file, bench/check/error-riddled.ts). So:
//  - large pools are `NamePool`s, built once per symbol table (SymbolTable.namePool / casePool): candidates by
//    length, so a query only visits the lengths within a typo's reach of its own, and a memo of answers (the same
//    misspelling repeated costs one lookup);
//  - a query computes at most `MAX_COMPARISONS` distances per pool (beyond that, a NamePool picks the candidates
//    sorted next to the name, forwards and backwards), and each distance stops as soon as it exceeds the best found
//    so far; the answer depends only on the name and the pool, never on time or on other queries;
//  - names longer than `MAX_SUGGESTED_LENGTH` get no suggestion.
// Within the cap the answer is the exact one: the candidate at the least distance, the first in pool order on a tie.

/** Names longer than this get no suggestion (nobody misspells a 65-character name into another one). */
export const MAX_SUGGESTED_LENGTH = 64;

/** At most this many distances computed per pool and query. */
export const MAX_COMPARISONS = 256;

/** Distances computed so far (for tests: the bound on work per query). */
export const suggestStats = { comparisons: 0 };

/** Levenshtein distance between `a` and `b`, ignoring case (one row of the dynamic-programming table). */
export function editDistance(a: string, b: string): number {
  return boundedDistance(a.toLowerCase(), b.toLowerCase(), Math.max(a.length, b.length));
}

// Scratch rows for `boundedDistance`: no allocation per comparison.
let rowA = new Int32Array(MAX_SUGGESTED_LENGTH + 2);
let rowB = new Int32Array(MAX_SUGGESTED_LENGTH + 2);

/**
 * Levenshtein distance between lower-cased `a` and `b` if it is at most `max`, else `max + 1` (the computation
 * stops when a whole row exceeds `max`). Standard two-row dynamic programming (Wagner–Fischer).
 */
function boundedDistance(a: string, b: string, max: number): number {
  suggestStats.comparisons++;
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rowA.length < b.length + 1) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      const v = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}

/** The typo reach of a name: 1 under 4 characters, else max(2, ⌊length/3⌋). */
function reach(name: string): number {
  return name.length >= 4 ? Math.max(2, Math.floor(name.length / 3)) : 1;
}

/** Best so far of one query: distance and position (pool number, index in it) of the candidate. */
interface Best {
  d: number;
  pool: number;
  index: number;
  name: string | undefined;
}

interface Candidate {
  name: string;
  lower: string;
  /** position in the pool: ties go to the earlier */
  index: number;
}

/**
 * A pool of candidate names indexed for "did you mean", immutable once built; build one per list that is queried
 * many times (the symbol table does, per kind list). A query compares the candidates within a typo's reach of its
 * length — all of them when there are at most `MAX_COMPARISONS`, which gives the exact answer. Beyond that (pools
 * of thousands of similar names: `red1`…`red999`), it compares the candidates next to the name in two sorted
 * orders: of the names, and of the names read backwards. A typo keeps a prefix or a suffix of the intended name
 * (one or the other, or both), and candidates sharing a long prefix or suffix with the name sort next to it.
 * Answers are memoised.
 */
export class NamePool {
  private readonly byLength = new Map<number, Candidate[]>();
  private sorted: { forward: Candidate[]; forwardKeys: string[]; backward: Candidate[]; backwardKeys: string[] } | undefined;
  private readonly answers = new Map<string, Candidate & { d: number } | null>();

  /**
   * @param onQuery called with each name asked for (before the memo): the symbol table records the query as a read
   *   of the check that made it (compiler/check/session.ts re-checks a declaration when its answer changes). A
   *   table that takes the pool over from the table it replaces sets its own.
   */
  constructor(
    names: Iterable<string>,
    public onQuery?: (name: string) => void,
  ) {
    let index = 0;
    for (const name of names) {
      const i = index++;
      if (!name || name.length > MAX_SUGGESTED_LENGTH + MAX_SUGGESTED_LENGTH / 3) continue;
      let bucket = this.byLength.get(name.length);
      if (!bucket) this.byLength.set(name.length, (bucket = []));
      bucket.push({ name, lower: name.toLowerCase(), index: i });
    }
  }

  /** The nearest candidate to `name` within `limit` (with its distance), or null; memoised. */
  nearest(name: string, lower: string, limit: number): (Candidate & { d: number }) | null {
    this.onQuery?.(name);
    const memo = this.answers.get(name);
    if (memo !== undefined) return memo;
    const best = this.pick(name, lower, limit);
    if (this.answers.size >= 10_000) this.answers.clear(); // a long editing session types many names
    this.answers.set(name, best);
    return best;
  }

  private pick(name: string, lower: string, limit: number): (Candidate & { d: number }) | null {
    let within = 0;
    for (let len = name.length - limit; len <= name.length + limit; len++) within += this.byLength.get(len)?.length ?? 0;
    return within <= MAX_COMPARISONS ? this.scan(name, lower, limit) : this.neighbours(name, lower, limit);
  }

  /** The answer to `closest(name, this)` as a comparable string (candidate and distance; '' for none), without reporting the query. */
  answer(name: string): string {
    if (!name || name.length > MAX_SUGGESTED_LENGTH) return '';
    const memo = this.answers.get(name);
    const hit = memo !== undefined ? memo : (() => {
      const best = this.pick(name, name.toLowerCase(), reach(name));
      this.answers.set(name, best);
      return best;
    })();
    return hit ? `${hit.name}\u0000${hit.d}` : '';
  }

  /** Every candidate within reach of the name's length, nearest lengths first: the exact answer. */
  private scan(name: string, lower: string, limit: number): (Candidate & { d: number }) | null {
    let best: (Candidate & { d: number }) | null = null;
    for (let delta = 0; delta <= limit; delta++) {
      if (best && delta > best.d) break; // the distance is at least the difference in length
      for (const len of delta === 0 ? [name.length] : [name.length - delta, name.length + delta]) {
        for (const c of this.byLength.get(len) ?? []) best = better(best, c, name, lower, limit);
      }
    }
    return best;
  }

  /**
   * The candidates next to the name in the forward and backward sorted orders (`MAX_COMPARISONS` in all), nearest
   * first, alternating between the orders; a candidate one edit away ends the search (none can be nearer).
   */
  private neighbours(name: string, lower: string, limit: number): (Candidate & { d: number }) | null {
    if (!this.sorted) {
      const all = [...this.byLength.values()].flat();
      const keyed = (key: (c: Candidate) => string) =>
        all.map((c) => ({ c, k: key(c) })).sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.c.index - y.c.index));
      const f = keyed((c) => c.lower);
      const b = keyed((c) => reverse(c.lower));
      this.sorted = { forward: f.map((x) => x.c), forwardKeys: f.map((x) => x.k), backward: b.map((x) => x.c), backwardKeys: b.map((x) => x.k) };
    }
    const { forward, forwardKeys, backward, backwardKeys } = this.sorted;
    const at = (keys: string[], key: string) => {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const f = at(forwardKeys, lower);
    const b = at(backwardKeys, reverse(lower));
    const seen = new Set<Candidate>();
    const found: { best: (Candidate & { d: number }) | null } = { best: null };
    const visit = (c: Candidate | undefined) => {
      if (!c || seen.has(c)) return;
      seen.add(c);
      found.best = better(found.best, c, name, lower, limit);
    };
    for (let i = 0; i < MAX_COMPARISONS >> 2 && !(found.best && found.best.d <= 1); i++) {
      visit(forward[f + i]);
      visit(forward[f - 1 - i]);
      visit(backward[b + i]);
      visit(backward[b - 1 - i]);
    }
    return found.best;
  }
}

function reverse(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

/** `c` if it is nearer to the name than `best` (or as near and earlier in the pool), else `best`. */
function better(best: (Candidate & { d: number }) | null, c: Candidate, name: string, lower: string, limit: number): (Candidate & { d: number }) | null {
  if (c.name === name) return best;
  const max = best ? Math.min(limit, best.d) : limit;
  if (Math.abs(c.name.length - name.length) > max) return best;
  const d = boundedDistance(lower, c.lower, max);
  if (d > max) return best;
  return !best || d < best.d || c.index < best.index ? { ...c, d } : best;
}

/**
 * The candidate nearest to `name` by case-insensitive edit distance, if within a typo's reach (1 for names under 4
 * characters, else max(2, ⌊length/3⌋)); undefined when none is. `pools` are searched as one list in the order
 * given (a tie goes to the earlier candidate); pass a `NamePool` for a large list queried often, any iterable
 * otherwise. At most `MAX_COMPARISONS` distances are computed per pool (see the top of this file).
 */
export function closest(name: string, ...pools: Array<Iterable<string> | NamePool>): string | undefined {
  if (!name || name.length > MAX_SUGGESTED_LENGTH) return undefined;
  const lower = name.toLowerCase();
  const limit = reach(name);
  const best: Best = { d: Infinity, pool: 0, index: 0, name: undefined };
  for (let p = 0; p < pools.length; p++) {
    const pool = pools[p]!;
    if (pool instanceof NamePool) {
      const hit = pool.nearest(name, lower, limit);
      if (hit && hit.d < best.d) Object.assign(best, { d: hit.d, pool: p, index: hit.index, name: hit.name });
      continue;
    }
    let budget = MAX_COMPARISONS;
    let index = 0;
    for (const c of pool) {
      const i = index++;
      // the distance is at least the difference in length: skip the comparison when that is too far
      if (!c || c === name || Math.abs(c.length - name.length) > Math.min(limit, best.d)) continue;
      if (budget-- <= 0) break;
      const max = Math.min(limit, best.d);
      const d = boundedDistance(lower, c.toLowerCase(), max);
      if (d <= max && d < best.d) Object.assign(best, { d, pool: p, index: i, name: c });
    }
  }
  return best.name;
}
