// The one seeded PRNG of the tests, the fake server and the benches: mulberry32 — small, fast, good enough for
// test data and fuzzing, and reproducible from one 32-bit seed. (The runtime's own draws are counter-based hashes,
// compiler/plan/random.ts: a sequential generator would make rows depend on scheduling.)
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
