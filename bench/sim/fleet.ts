// The simulated fleet from one seed: install ids and which companions fail to start the new release, the same in
// every worker process.

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random-looking install id (as the core's store makes one), fixed by the seed and the companion's index. */
export function installIdOf(seed: number, index: number): string {
  const r = mulberry32(seed * 1_000_003 + index);
  return Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
}

/** Exactly round(fleet × percent / 100) companions, picked by a seeded shuffle. */
export function failingSet(fleet: number, percent: number, seed: number): Set<number> {
  const r = mulberry32(seed);
  const idx = Array.from({ length: fleet }, (_, i) => i);
  for (let i = fleet - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return new Set(idx.slice(0, Math.round((fleet * percent) / 100)));
}
