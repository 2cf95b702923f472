// One progress line that fits the terminal: fields are whole or absent, never cut. When the line is too wide
// the least important fields go first (a rate before the ETA, the ETA before the row count), and the bar, the
// one field that can stretch, takes only the room left over.

/** A piece of a progress line. `keep`: higher stays longer when the line must shrink. */
export interface Field {
  text: string;
  keep: number;
}

/** The stretchable bar's place in a line: shown only when at least `min` cells are left, at most `max`. */
export interface BarSlot {
  /** index in the field list before which the bar goes */
  at: number;
  /** 0..1 done */
  fraction: number;
  min: number;
  max: number;
}

const SEP = ' | ';

/** Terminal cells of `s`: our fields are ASCII plus the bar's block characters, one cell each. */
function cells(s: string): number {
  return [...s].length;
}

/** `fraction` of `width` cells as a bar of full and light blocks. */
export function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/**
 * The fields (and the bar, if any) joined by ` | ` in their order, within `width` cells: fields are dropped,
 * lowest `keep` first (the later one on a tie), until the rest fits. The first field (the phase's name) is
 * never dropped; only when it alone is wider than `width` is it cut, with `…`.
 */
export function fitLine(fields: Field[], width: number, slot?: BarSlot): string {
  const w = Math.max(1, Math.floor(width));
  const alive = fields.map(() => true);
  const join = () => fields.filter((_, i) => alive[i]).map((f) => f.text);
  const length = () => {
    const parts = join();
    return parts.reduce((n, p) => n + cells(p), 0) + SEP.length * Math.max(0, parts.length - 1);
  };
  // the order in which fields go: lowest keep first, later first on a tie; never the first field
  const order = fields
    .map((f, i) => ({ i, keep: f.keep }))
    .filter((x) => x.i > 0)
    .sort((a, b) => a.keep - b.keep || b.i - a.i);
  for (const { i } of order) {
    if (length() <= w) break;
    alive[i] = false;
  }
  let line = join().join(SEP);
  if (cells(line) > w) return [...line].slice(0, Math.max(0, w - 1)).join('') + '…';
  if (slot) {
    const room = w - cells(line) - SEP.length;
    const size = Math.min(slot.max, room);
    if (size >= slot.min) {
      const before = fields.slice(0, slot.at).filter((_, i) => alive[i]).map((f) => f.text);
      const after = fields.slice(slot.at).filter((_, i) => alive[i + slot.at]).map((f) => f.text);
      line = [...before, bar(slot.fraction, size), ...after].join(SEP);
    }
  }
  return line;
}

/** A duration for people: `850ms`, `12.3s`, `4m 05s`, `2h 10m`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A rate with an SI suffix: `950`, `12.3k`, `4.56M`, `1.20G` (per second, the caller names the unit). */
export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '?';
  const units: Array<[number, string]> = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [n, u] of units) if (perSecond >= n) return `${(perSecond / n).toPrecision(3)}${u}`;
  return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}
