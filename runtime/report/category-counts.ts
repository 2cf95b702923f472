// Exact counts of a column's values as categories, in bounded memory: the first CATEGORY_CAP distinct values are
// counted, any later new value adds to `other`, and values are keyed by at most KEY_CHARS characters (a column
// with values that long is text, not categories, and is charted as lengths instead).

export const CATEGORY_CAP = 1000;
export const KEY_CHARS = 200;

/**
 * A copy of `s` that shares no memory with the text it was cut from. Values parsed from a 1 MB chunk are views
 * into it (V8 sliced strings); a kept key would keep its whole chunk alive, so memory would grow with the file.
 */
export function detached(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export class CategoryCounts {
  readonly counts = new Map<string, number>();
  /** rows whose value arrived after CATEGORY_CAP distinct values were already counted */
  other = 0;

  add(value: string, times = 1): void {
    const key = value.length > KEY_CHARS ? value.slice(0, KEY_CHARS) + '…' : value;
    const n = this.counts.get(key);
    if (n !== undefined) this.counts.set(key, n + times);
    else if (this.counts.size < CATEGORY_CAP) this.counts.set(detached(key), times);
    else this.other += times;
  }

  /** True when every distinct value is counted on its own. */
  get complete(): boolean {
    return this.other === 0;
  }

  /**
   * Counts in the order a reader expects: the `declared` values first, in their declared order (zero counts
   * included: a value that never occurred is worth seeing), then the rest by `rest` — numeric or false/true
   * order for number and boolean columns, else by count, most frequent first (ties alphabetical).
   */
  ordered(declared: readonly string[] | undefined, rest: 'count' | 'numeric' | 'boolean'): { label: string; count: number }[] {
    const out: { label: string; count: number }[] = [];
    const seen = new Set<string>();
    for (const d of declared ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      out.push({ label: d, count: this.counts.get(d) ?? 0 });
    }
    const others = [...this.counts].filter(([k]) => !seen.has(k));
    if (rest === 'numeric') others.sort((a, b) => Number(a[0]) - Number(b[0]));
    else if (rest === 'boolean') others.sort((a, b) => (a[0] === b[0] ? 0 : a[0] === 'false' ? -1 : b[0] === 'false' ? 1 : a[0] < b[0] ? -1 : 1));
    else others.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [label, count] of others) out.push({ label, count });
    return out;
  }
}
