/**
 * Small, portable pseudo-random number generators. Everything here is pure integer arithmetic
 * on 32-bit values (`Math.imul`, `>>>`), so a given seed yields the same stream on every
 * JavaScript engine and machine.
 *
 * - `mixSeed` is the 32-bit finaliser of MurmurHash3 (`fmix32`, Austin Appleby, public domain)
 *   applied to a running combination of the inputs; it turns (seed, epoch, stream) into one
 *   well-scrambled 32-bit state.
 * - `mulberry32` is Tommy Ettinger's Mulberry32 generator (public domain): state += 0x6D2B79F5,
 *   then two xor-shift-multiply rounds; period 2^32, output in [0, 1) with 32 bits.
 */

/** MurmurHash3 fmix32: x ^= x>>>16; x *= 0x85ebca6b; x ^= x>>>13; x *= 0xc2b2ae35; x ^= x>>>16. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Combines any number of integers into one 32-bit seed:
 * h_0 = 0x9e3779b9, h_{i+1} = fmix32(h_i ^ (v_i + 0x9e3779b9 + (h_i << 6) + (h_i >>> 2))).
 * Non-integers are truncated; values are taken modulo 2^32.
 */
export function mixSeed(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    const lo = Math.trunc(v) >>> 0;
    const hi = Math.trunc(v / 4294967296) >>> 0; // keeps seeds above 2^32 distinct
    h = fmix32(h ^ ((lo + 0x9e3779b9 + (h << 6) + (h >>> 2)) >>> 0));
    if (hi !== 0) h = fmix32(h ^ hi);
  }
  return h >>> 0;
}

/** A seeded generator: `next()` in [0, 1), `int(n)` in {0..n-1}. */
export interface Rng {
  next(): number;
  int(n: number): number;
}

/** Mulberry32 (see module doc). */
export function mulberry32(seed: number): Rng {
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

/**
 * In-place Fisher-Yates shuffle: for i = n-1 down to 1, swap a[i] with a[j], j = int(i+1).
 * Every permutation is equally likely given a uniform generator.
 */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * The sample order of one epoch: a permutation of 0..n-1 that depends only on (seed, epoch).
 * Same inputs -> same order on every machine, so a run resumed at epoch e sees the same data.
 */
export function epochPermutation(n: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, mulberry32(mixSeed(seed, epoch, 0x5348)));
}
