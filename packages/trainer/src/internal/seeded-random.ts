// The seeded generator of the report's bootstrap, here so that `@regstudy/trainer/report` loads
// nothing of the dataset package (whose main entry brings sharp and yauzl). Same algorithms and
// constants as @regstudy/tinyimagenet's prng (checked equal in test/seeded-random.test.ts), so a
// report's intervals do not change with this move:
// - MurmurHash3's 32-bit finaliser fmix32 (Austin Appleby, public domain,
//   https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp) to mix the seed parts;
// - Mulberry32 (Tommy Ettinger, public domain): state += 0x6D2B79F5, two xor-shift-multiply
//   rounds, output in [0, 1) with 32 bits, period 2^32.

/** fmix32: x ^= x>>>16; x *= 0x85ebca6b; x ^= x>>>13; x *= 0xc2b2ae35; x ^= x>>>16. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * One 32-bit seed from integers: h_0 = 0x9e3779b9, h_{i+1} = fmix32(h_i ^ (v_i + 0x9e3779b9 +
 * (h_i << 6) + (h_i >>> 2))), then fmix32(h ^ hi) when v_i has bits above 2^32.
 */
export function mixSeed(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    const lo = Math.trunc(v) >>> 0;
    const hi = Math.trunc(v / 4294967296) >>> 0;
    h = fmix32(h ^ ((lo + 0x9e3779b9 + (h << 6) + (h >>> 2)) >>> 0));
    if (hi !== 0) h = fmix32(h ^ hi);
  }
  return h >>> 0;
}

/** A seeded generator: `next()` in [0, 1), `int(n)` in {0..n-1}. */
export interface SeededRandom {
  next(): number;
  int(n: number): number;
}

/** Mulberry32 seeded with the low 32 bits of `seed`. */
export function mulberry32(seed: number): SeededRandom {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
