/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence, so
 * generated clusters, mutations in fuzz tests and benchmark runs reproduce from their seed.
 * Not for anything secret.
 */

/**
 * Returns a function giving numbers in [0, 1), determined by `seed` (an unsigned 32-bit integer).
 * @example
 * const random = seededRandom(42); random(); // the same value on every run
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
