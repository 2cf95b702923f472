// "Did you mean …?" — the closest candidate by edit distance, if it is close enough to be a plausible typo.

/** Levenshtein distance between `a` and `b`, ignoring case (one row of the dynamic-programming table). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + cost);
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `name` by case-insensitive edit distance, if within a typo's reach (1 for names under 4
 * characters, else max(2, ⌊length/3⌋)); undefined when none is. Candidates whose length alone puts them out of reach
 * are skipped before the O(|a|·|b|) distance, so a pool of thousands of names stays cheap.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = name.length >= 4 ? Math.max(2, Math.floor(name.length / 3)) : 1;
  for (const c of candidates) {
    // the distance is at least the difference in length: skip the quadratic comparison when that is too far
    if (!c || c === name || Math.abs(c.length - name.length) > Math.min(limit, bestD)) continue;
    const d = editDistance(name, c);
    if (d < bestD && d <= limit) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
