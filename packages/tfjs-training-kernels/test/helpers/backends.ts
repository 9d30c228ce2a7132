import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's ESM entry does not register gradients (its CJS bundle and @tensorflow/tfjs do).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/wasm/register-training-kernels';

/** Registers our kernels and initialises both backends used by the comparison tests. */
export async function setUpCpuAndWasm(): Promise<void> {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(await tf.setBackend('cpu')).toBe(true);
}

/** Deterministic values in [-1, 1) from a 32-bit LCG (same on every backend and platform). */
export function randomValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** max |a - b| / max |b|: the relative error used by every comparison. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-30);
}

/** Runs `f` on backend `name` and returns the values of its result(s). */
export function onBackend(name: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  tf.setBackend(name);
  return tf.tidy(() => {
    const r = f();
    return (Array.isArray(r) ? r : [r]).map((t) => t.dataSync() as Float32Array);
  });
}
