import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWN_GEMM_TINY_MAP_FLAG, SPLIT_K_FILTER_GRAD_FLAG } from '../src/wasm/flags';
import { tapRuns } from '../src/wasm/ops/own-gemm-tiny-map';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { installCountingGemm, uninstallCountingGemm, type GemmCounts } from './helpers/counting-gemm';

/** Calls of the installed own GEMM, and of its split-K. */
let counts: GemmCounts;

beforeAll(async () => {
  await setUpCpuAndWasm();
  // the threaded GEMM's split-K, done slice by slice on this thread (3 slices at most)
  counts = installCountingGemm((gemm) => (m, n, k, a, b, c, accumulate, partial, maxSlices) => {
    const slices = Math.min(3, maxSlices);
    const part = Math.ceil(k / slices);
    let s = 0;
    for (let k0 = 0; k0 < k; k0 += part, s++) {
      const aOff = a.trans ? k0 * a.ld * 4 : k0 * 4;
      const bOff = b.trans ? k0 * 4 : k0 * b.ld * 4;
      const cs = s === 0 ? c : { ptr: partial + (s - 1) * m * n * 4, ld: n };
      gemm.gemm(m, n, Math.min(part, k - k0), { ...a, ptr: a.ptr + aOff }, { ...b, ptr: b.ptr + bOff }, cs, s === 0 && accumulate);
    }
    return s;
  });
  tf.env().set(OWN_GEMM_TINY_MAP_FLAG, true);
});

afterAll(uninstallCountingGemm);

type Pad = 'same' | 'valid';
const info = (n: number, h: number, w: number, ci: number, co: number, k: number, s: number, pad: Pad): backend_util.Conv2DInfo =>
  backend_util.computeConv2DInfo([n, h, w, ci], [k, k, ci, co], s, 1, pad);

describe('tapRuns', () => {
  it('2x2 map, 3x3 same: 8 runs of 2 pixels; output pixel (0,0) meets input row 0 through taps (1,1),(1,2)', () => {
    const runs = tapRuns(info(1, 2, 2, 1, 1, 3, 1, 'same'));
    expect(runs).toHaveLength(8);
    // hand-derived: q = (0,0), filter row i = 1 -> input row 0, columns 0..1 via taps j = 1..2 (tap 4)
    expect(runs[0]).toEqual({ q: 0, p: 0, tap: 4, len: 2 });
    // q = (1,1) (index 3), i = 0 -> input row 0 via taps (0,0),(0,1)
    expect(runs).toContainEqual({ q: 3, p: 0, tap: 0, len: 2 });
    expect(runs.reduce((a, r) => a + r.len, 0)).toBe(16); // every (p, q) pair once
  });

  it.each([
    [3, 3, 3, 1, 'same'],
    [5, 4, 3, 2, 'same'],
    [4, 4, 3, 2, 'valid'],
    [1, 1, 3, 1, 'same'],
    [7, 6, 4, 3, 'same'],
  ] as const)('covers exactly the pairs of a brute-force enumeration, %ix%i map, k=%i s=%i %s', (h, w, k, s, pad) => {
    const ci = info(1, h, w, 1, 1, k, s, pad);
    const want: string[] = [];
    for (let qr = 0; qr < ci.outHeight; qr++)
      for (let qc = 0; qc < ci.outWidth; qc++)
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++) {
            const pr = qr * s + i - ci.padInfo.top;
            const pc = qc * s + j - ci.padInfo.left;
            if (pr >= 0 && pr < h && pc >= 0 && pc < w) want.push(`${qr * ci.outWidth + qc}:${pr * w + pc}:${i * k + j}`);
          }
    const got = tapRuns(ci).flatMap((r) => Array.from({ length: r.len }, (_, t) => `${r.q}:${r.p + t}:${r.tap + t}`));
    expect(got.sort()).toEqual(want.sort());
  });
});

// [batch, height, width, inChannels, outChannels, kernel, stride, padding, takes the tiny-map path]
const cases: [number, number, number, number, number, number, number, Pad, boolean][] = [
  // stride-1 cases have Co > 32: smaller ones' filter gradients take the few-channel kernel first
  [3, 2, 2, 16, 40, 3, 1, 'same', true],
  [1, 2, 2, 8, 36, 3, 1, 'same', true], // batch 1
  [2, 1, 1, 7, 33, 3, 1, 'same', true], // 1x1 map: only the centre tap
  [2, 3, 3, 6, 34, 3, 1, 'same', true],
  [2, 3, 3, 6, 10, 3, 2, 'same', true],
  [2, 3, 3, 5, 33, 3, 1, 'valid', true],
  [2, 2, 3, 4, 6, 3, 2, 'valid', false], // valid with stride 2: output 0x1 -> not taken (Ho = 0)
  [2, 4, 4, 6, 7, 3, 2, 'same', true], // 16 pixels <= 2 * 9 taps
  [2, 4, 4, 20, 36, 3, 1, 'same', true],
  [2, 5, 5, 6, 36, 3, 1, 'same', false], // 25 pixels > 2 * 9 taps: im2col / other paths
  [2, 3, 3, 6, 7, 1, 1, 'valid', false], // 9 pixels > 2 * 1 tap
];

describe.each(cases)('tiny-map convolutions on the own GEMM, x=[%i,%i,%i,%i] co=%i k=%i s=%i %s', (n, h, w, ci, co, k, s, pad, taken) => {
  it('forward, input and filter gradients match cpu (relative error <= 1e-4), no leaks', () => {
    const outH = pad === 'same' ? Math.ceil(h / s) : Math.floor((h - k) / s) + 1;
    const outW = pad === 'same' ? Math.ceil(w / s) : Math.floor((w - k) / s) + 1;
    if (outH <= 0 || outW <= 0) return; // empty output: nothing to compare (tfjs rejects it)
    const numTensors = tf.memory().numTensors;
    const run = (backend: 'cpu' | 'wasm'): Float32Array[] =>
      onBackend(backend, () => {
        const x = tf.tensor4d(randomValues(n * h * w * ci, 11), [n, h, w, ci]);
        const f = tf.tensor4d(randomValues(k * k * ci * co, 12), [k, k, ci, co]);
        const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, s, pad));
        const y = tf.conv2d(x, f, s, pad);
        return [y, ...g([x, f], tf.tensor(randomValues(y.size, 13), y.shape))];
      });
    const gemmCalls = (): number => {
      const before = counts.gemm;
      run('wasm');
      return counts.gemm - before;
    };
    const before = counts.gemm;
    const [yW, dxW, dfW] = run('wasm');
    const onCalls = counts.gemm - before;
    const [yC, dxC, dfC] = run('cpu');
    expect(relativeError(yW!, yC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxW!, dxC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dfW!, dfC!)).toBeLessThanOrEqual(1e-4);
    const runs = tapRuns(info(n, h, w, ci, co, k, s, pad)).length;
    // forward twice (once inside tf.grads), input and filter gradient: one GEMM per run each, and
    // nothing else; not taken: the same GEMM calls as with the flag off
    if (taken) expect(onCalls).toBe(4 * runs);
    else {
      tf.env().set(OWN_GEMM_TINY_MAP_FLAG, false);
      try {
        expect(gemmCalls()).toBe(onCalls);
      } finally {
        tf.env().set(OWN_GEMM_TINY_MAP_FLAG, true);
      }
    }
    expect(tf.memory().numTensors).toBe(numTensors);
  });
});

describe('flag off', () => {
  it('REGSTUDY_WASM_OWN_GEMM_TINY_MAP=false takes the previous forms (same values)', () => {
    tf.env().set(OWN_GEMM_TINY_MAP_FLAG, false);
    try {
      const f = (): tf.Tensor => tf.conv2d(tf.tensor4d(randomValues(2 * 2 * 2 * 8, 1), [2, 2, 2, 8]), tf.tensor4d(randomValues(9 * 8 * 4, 2), [3, 3, 8, 4]), 1, 'same');
      const before = counts.gemm;
      const [got] = onBackend('wasm', f);
      expect(counts.gemm - before).toBe(0); // the swapped XNNPACK form, no GEMM
      const [want] = onBackend('cpu', f);
      expect(relativeError(got!, want!)).toBeLessThanOrEqual(1e-4);
    } finally {
      tf.env().set(OWN_GEMM_TINY_MAP_FLAG, true);
    }
  });
});

describe('split-K filter gradient (small C, deep batch: the stem)', () => {
  it.each([true, false])('x=[9,51,51,3] 5x5/2 valid -> 2 matches cpu (relative error <= 1e-4); split: %s', (split) => {
    tf.env().set(SPLIT_K_FILTER_GRAD_FLAG, split);
    try {
      // m = 5*5*3 = 75 taps, n = 2, k = 9*24*24 = 5184 >= 64 * 75
      const before = counts.splitK;
      const numTensors = tf.memory().numTensors;
      const attrs = { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [5, 5, 3, 2] };
      const f = (): tf.Tensor =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(randomValues(9 * 51 * 51 * 3, 31), [9, 51, 51, 3]), dy: tf.tensor4d(randomValues(9 * 24 * 24 * 2, 32), [9, 24, 24, 2]) },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor;
      const [got] = onBackend('wasm', f);
      const [want] = onBackend('cpu', f);
      expect(relativeError(got!, want!)).toBeLessThanOrEqual(1e-4);
      expect(counts.splitK - before).toBe(split ? 1 : 0);
      expect(tf.memory().numTensors).toBe(numTensors);
    } finally {
      tf.env().set(SPLIT_K_FILTER_GRAD_FLAG, true);
    }
  });
});
