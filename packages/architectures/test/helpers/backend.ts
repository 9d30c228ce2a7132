import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Selects the cpu backend (call in beforeAll). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Deterministic pseudo-random numbers in [lo, hi) (LCG, independent of tfjs). */
export function lcg(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = 0, hi = 1) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (s / 2 ** 32);
  };
}

export function randomArray(n: number, rand: (lo?: number, hi?: number) => number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand(lo, hi);
  return a;
}

/** max |a - b| / max |b|. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
    den = Math.max(den, Math.abs(b[i] ?? NaN));
  }
  return num / den;
}
