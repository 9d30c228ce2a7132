import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POOL_WASM_FLAG } from '../src/wasm/flags';
import { createBackendGemm } from '../src/wasm/runtime/backend-heap';
import { createWasmGemm } from '../src/wasm/runtime/gemm';
import { createNodeThreadedGemm } from '../src/wasm/runtime/node-gemm-threads';
import { installOwnGemm } from '../src/wasm/ops/own-gemm-matmul';
import { MAX_POOL_GRAD_MIN_PARALLEL } from '../src/wasm/runtime/threaded-gemm';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { bumpHeap } from './helpers/bump-heap';

let poolCalls = 0;
beforeAll(async () => {
  await setUpCpuAndWasm();
  const wasm = tf.engine().findBackend('wasm');
  const g = createBackendGemm(wasm);
  installOwnGemm({ gemm: (...a) => g.gemm(...a), pool: (...a) => (poolCalls++, g.pool(...a)) }, wasm);
});
afterAll(() => installOwnGemm(null));
afterEach(() => tf.env().set(POOL_WASM_FLAG, true));

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

describe('MaxPool and AvgPool on the generated pool2d (REGSTUDY_WASM_POOL_WASM)', () => {
  // [x shape, window, stride, padding, taken]: the study's 2x2/2, ResNet's 3x3/2 on a padded map,
  // non-square windows, C not a multiple of 4; 'same' with padding keeps the stock kernel
  const cases: [[number, number, number, number], [number, number], [number, number], 'valid' | 'same', boolean][] = [
    [[4, 16, 16, 10], [2, 2], [2, 2], 'valid', true],
    [[2, 19, 19, 64], [3, 3], [2, 2], 'valid', true],
    [[12, 9, 12, 7], [3, 2], [2, 3], 'valid', true],
    [[2, 8, 8, 33], [2, 2], [1, 1], 'valid', true],
    [[2, 9, 9, 8], [3, 3], [2, 2], 'same', false],
  ];
  for (const kind of ['max', 'avg'] as const) {
    it.each(cases)(`${kind}: x %j window %j stride %j %s (taken: %s) matches cpu, no leaks`, (shape, win, strides, pad, taken) => {
      const x = randomValues(size(shape), 81);
      // ties, -0 against 0, NaN and infinities in the first images, and one all-NaN window (channel 0
      // of the first window) for max; only where our kernel runs (the stock kernel has its own NaN rule)
      if (taken) {
        x.set([0, -0, 0, -0, Number.NaN, 1, Number.NEGATIVE_INFINITY, 5, 5, Number.POSITIVE_INFINITY], 0);
        for (let ky = 0; ky < win[0]; ky++) for (let kx = 0; kx < win[1]; kx++) x[(ky * shape[2] + kx) * shape[3]] = Number.NaN;
      }
      const f = kind === 'max' ? tf.maxPool : tf.avgPool;
      const run = (backend: 'cpu' | 'wasm'): Float32Array => onBackend(backend, () => f(tf.tensor4d(x, shape), win, strides, pad))[0]!;
      const numTensors = tf.memory().numTensors;
      const before = poolCalls;
      const wasm = run('wasm');
      expect(poolCalls > before).toBe(taken);
      const cpu = run('cpu');
      if (kind === 'max') {
        expect(Array.from(wasm).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(Array.from(cpu).map((v) => (Object.is(v, -0) ? '-0' : v)));
      } else {
        // float32 sums against cpu's double sums (NaN / infinities compared as values)
        const finite = (a: Float32Array): number[] => Array.from(a).map((v) => (Number.isFinite(v) ? v : 0));
        expect(Array.from(wasm).map((v) => Number.isFinite(v))).toEqual(Array.from(cpu).map((v) => Number.isFinite(v)));
        expect(relativeError(finite(wasm), finite(cpu))).toBeLessThanOrEqual(1e-6);
      }
      expect(tf.memory().numTensors).toBe(numTensors);
    });
  }

  it('is not taken with the flag off', () => {
    tf.env().set(POOL_WASM_FLAG, false);
    const before = poolCalls;
    onBackend('wasm', () => tf.maxPool(tf.tensor4d(randomValues(4 * 16 * 16 * 10, 3), [4, 16, 16, 10]), 2, 2, 'valid'));
    expect(poolCalls).toBe(before);
  });
});

describe('pool2d over threads', () => {
  it('gives the same bytes as one thread', async () => {
    const h = bumpHeap(64, true);
    const local = createWasmGemm(h.memory, { alloc: h.alloc });
    const threaded = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2 });
    try {
      const [nb, ht, wd, c] = [7, 32, 32, 20];
      const [ho, wo] = [16, 16];
      expect(nb * ho * wo * c).toBeGreaterThanOrEqual(MAX_POOL_GRAD_MIN_PARALLEL);
      const x = h.alloc(nb * ht * wd * c * 4 + 16);
      const ys = [h.alloc(nb * ho * wo * c * 4 + 16), h.alloc(nb * ho * wo * c * 4 + 16)];
      new Float32Array(h.memory.buffer, x, nb * ht * wd * c).set(randomValues(nb * ht * wd * c, 91));
      for (const max of [1, 0]) {
        const outs = [local, threaded].map((g, i) => {
          g.pool(x, ys[i]!, nb, ht, wd, c, ho, wo, 2, 2, 2, 2, max);
          return Array.from(new Float32Array(h.memory.buffer, ys[i]!, nb * ho * wo * c));
        });
        expect(outs[1]).toEqual(outs[0]);
      }
    } finally {
      await threaded.dispose();
    }
  });
});
