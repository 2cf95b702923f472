// Counter-based randomness for datasets: every draw is a pure function of (seed, dataset, row, variable, k),
// so shards, resumed runs and reordered execution all draw the same numbers. No generator state is carried
// between rows; a draw hashes its coordinates (xxHash32-style mixing, two lanes for 53 bits).

function mix32(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a string (FNV-1a, then avalanche). */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** 32-bit hash of four 32-bit integers (the coordinates of a draw), avalanche-mixed after each. */
export function hashInts(a: number, b: number, c: number, d: number): number {
  let h = mix32((a ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ Math.imul(b >>> 0, 0xcc9e2d51)) >>> 0);
  h = mix32((h ^ Math.imul(c >>> 0, 0x1b873593)) >>> 0);
  h = mix32((h ^ Math.imul(d >>> 0, 0xe6546b64)) >>> 0);
  return h;
}

/** A uniform double in [0, 1) for the given coordinates. */
export function uniformAt(seed: number, stream: number, row: number, k: number): number {
  // row may exceed 2^32 only in absurd datasets; split it into two lanes anyway.
  const lo = row >>> 0;
  const hi = Math.floor(row / 4294967296) >>> 0;
  const a = hashInts(seed, stream, lo, k * 2 + hi * 7919);
  const b = hashInts(seed ^ 0x5bd1e995, stream, lo, k * 2 + 1 + hi * 7919);
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** A draw source bound to one (seed, dataset, row, variable): each call gives the next independent number. */
export function drawer(seed: number, dataset: string, variable: string, row: number): () => number {
  const stream = hashString(`${dataset}\u0000${variable}`);
  let k = 0;
  return () => uniformAt(seed, stream, row, k++);
}
