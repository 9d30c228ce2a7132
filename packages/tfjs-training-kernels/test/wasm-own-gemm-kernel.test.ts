import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_CONV_FLAG, FUSED_MATMUL_FLAG } from '../src/wasm/flags';
import { OWN_CONV_MIN, ownConvLimits } from '../src/wasm/ops/own-gemm-conv';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { installCountingGemm, uninstallCountingGemm, type GemmCounts } from './helpers/counting-gemm';

let counts: GemmCounts;

beforeAll(async () => {
  await setUpCpuAndWasm();
  counts = installCountingGemm();
  // The routing counted here is im2col / col2im + GEMM; stride-1 few-channel convolutions would
  // otherwise take the direct kernel (tested in wasm-direct-conv.test.ts).
  tf.env().set(DIRECT_CONV_FLAG, false);
});

afterAll(() => {
  tf.env().set(DIRECT_CONV_FLAG, true);
  uninstallCountingGemm();
});

describe("BatchMatMul on wasm with REGSTUDY_WASM_OWN_GEMM on", () => {
  // [a shape, b shape, transposeA, transposeB, runs on our GEMM]
  const cases: [number[], number[], boolean, boolean, boolean][] = [
    [[5, 7], [7, 9], false, false, true],
    [[7, 5], [7, 9], true, false, true],
    [[5, 7], [9, 7], false, true, true],
    [[7, 5], [9, 7], true, true, true],
    [[1, 33, 17], [1, 17, 3], false, false, true],
    [[2, 4, 6], [2, 6, 3], false, false, false], // batched: stock path
  ];
  it.each(cases)('%j @ %j (tA %s, tB %s) matches cpu; own GEMM used: %s', (sa, sb, ta, tb, used) => {
    const before = counts.gemm;
    const numTensors = tf.memory().numTensors;
    const size = (s: number[]): number => s.reduce((x, y) => x * y, 1);
    const f = (): tf.Tensor => tf.matMul(tf.tensor(randomValues(size(sa), 3), sa), tf.tensor(randomValues(size(sb), 4), sb), ta, tb);
    const [want] = onBackend('cpu', f);
    const [got] = onBackend('wasm', f);
    expect(relativeError(got!, want!)).toBeLessThanOrEqual(1e-5);
    expect(counts.gemm > before).toBe(used);
    expect(tf.memory().numTensors).toBe(numTensors);
  });
});

describe('_FusedMatMul (a dense layer\'s fused forward pass) on our GEMM (REGSTUDY_WASM_FUSED_MATMUL)', () => {
  // [a shape, b shape, transposeA, transposeB, bias shape or null, activation, runs on our GEMM]:
  // the bias add on the generated pass (200 columns, >= 4096 outputs) or the stock Add (narrow,
  // or a bias per element); batched products on the stock BatchMatMul. tfjs-backend-wasm 4.22's
  // own kernel returns wrong values for tA with tB and for batched products with a bias, and
  // throws on a bias of rank 2: these cases must match cpu with the flag on.
  const cases: [number[], number[], boolean, boolean, number[] | null, tf.fused.Activation, boolean][] = [
    [[64, 100], [100, 200], false, false, [200], 'linear', true],
    [[64, 100], [100, 200], false, false, [200], 'relu', true],
    [[1, 64, 100], [1, 100, 200], false, false, [1, 200], 'relu', true],
    [[100, 64], [200, 100], true, true, [200], 'linear', true],
    [[7, 5], [7, 9], true, false, [9], 'relu6', true],
    [[5, 7], [7, 9], false, false, [9], 'relu', true],
    [[5, 7], [9, 7], false, true, null, 'relu', true],
    [[5, 7], [7, 9], false, false, null, 'sigmoid', true],
    [[5, 7], [7, 9], false, false, [5, 9], 'elu', true],
    [[5, 7], [7, 9], false, false, [9], 'leakyrelu', true],
    [[2, 4, 6], [2, 6, 3], false, false, [3], 'relu', false],
  ];
  it.each(cases)('%j @ %j (tA %s, tB %s) + bias %j, %s: matches cpu without leaks; own GEMM used: %s', (sa, sb, ta, tb, biasShape, activation, used) => {
    const size = (s: number[]): number => s.reduce((x, y) => x * y, 1);
    const f = (): tf.Tensor =>
      tf.fused.matMul({
        a: tf.tensor(randomValues(size(sa), 5), sa),
        b: tf.tensor(randomValues(size(sb), 6), sb),
        transposeA: ta,
        transposeB: tb,
        bias: biasShape ? tf.tensor(randomValues(size(biasShape), 7), biasShape) : undefined,
        activation,
        leakyreluAlpha: 0.3,
      });
    const numTensors = tf.memory().numTensors;
    const [want] = onBackend('cpu', f);
    const before = counts.gemm;
    const [got] = onBackend('wasm', f);
    expect(counts.gemm > before).toBe(used);
    expect(relativeError(got!, want!)).toBeLessThanOrEqual(1e-5);
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('prelu takes its weights; with the flag off the stock kernel runs (the same values where it is right)', () => {
    const f = (activation: tf.fused.Activation): tf.Tensor =>
      tf.fused.matMul({
        a: tf.tensor(randomValues(64 * 30, 8), [64, 30]),
        b: tf.tensor(randomValues(30 * 80, 9), [30, 80]),
        bias: tf.tensor(randomValues(80, 10), [80]),
        activation,
        preluActivationWeights: activation === 'prelu' ? tf.tensor(randomValues(80, 11), [80]) : undefined,
      });
    const [want] = onBackend('cpu', () => f('prelu'));
    const [got] = onBackend('wasm', () => f('prelu'));
    expect(relativeError(got!, want!)).toBeLessThanOrEqual(1e-5);
    const [on] = onBackend('wasm', () => f('relu'));
    const before = counts.gemm;
    tf.env().set(FUSED_MATMUL_FLAG, false);
    try {
      const [off] = onBackend('wasm', () => f('relu'));
      expect(counts.gemm).toBe(before);
      expect(relativeError(off!, on!)).toBeLessThanOrEqual(1e-5);
    } finally {
      tf.env().set(FUSED_MATMUL_FLAG, true);
    }
  });
});

type Pad = 'same' | 'valid';
// [batch, height, width, inChannels, outChannels, kernel, stride, padding]; mostly above OWN_CONV_MIN
const convCases: [number, number, number, number, number, number, number, Pad][] = [
  [1, 5, 5, 32, 32, 3, 1, 'valid'],
  [2, 7, 7, 32, 33, 3, 2, 'same'],
  [1, 8, 8, 30, 40, 3, 2, 'valid'],
  [2, 9, 6, 64, 40, 1, 2, 'valid'], // 1x1 strided, taps 64: only the filter gradient
  [1, 13, 13, 8, 36, 7, 2, 'same'],
  [1, 14, 13, 16, 33, 4, 3, 'same'],
  [1, 10, 9, 12, 32, 5, 1, 'same'],
  [1, 7, 9, 64, 32, 2, 2, 'same'],
  [2, 5, 5, 256, 32, 1, 1, 'valid'], // pointwise: x itself is the im2col matrix
  [1, 5, 6, 300, 32, 1, 2, 'same'],
  [2, 7, 7, 3, 4, 3, 2, 'same'], // below every threshold: the XNNPACK forms
  [5, 6, 5, 32, 32, 3, 2, 'same'], // run with a small cols limit: chunks of 2, 2, 1 images
  [2, 6, 6, 64, 64, 3, 2, 'valid'], // strided onto a 2x2 dy (fewer pixels than taps): GEMM + col2im, not the swapped form
];

const own = (k: number, ci: number, co: number, kind: keyof typeof OWN_CONV_MIN): boolean =>
  k * k * ci >= OWN_CONV_MIN[kind].taps && co >= OWN_CONV_MIN[kind].outChannels;

describe.each(convCases)('conv2d gradients on the own GEMM, x=[%i,%i,%i,%i] co=%i k=%i s=%i %s', (n, h, w, ci, co, k, s, pad) => {
  it('and the forward pass match cpu (relative error <= 1e-4) through im2col / col2im + GEMM, without leaks', () => {
    const before = [counts.im2col, counts.col2im, counts.gemm];
    const chunked = n === 5;
    // 3 x 3 x 288 floats of cols per image: a limit of 2 images' worth splits the batch 2 + 2 + 1
    ownConvLimits.maxColsFloats = chunked ? 2 * 9 * 288 : 16 * 1024 * 1024;
    const numTensors = tf.memory().numTensors;
    const grads = (backend: 'cpu' | 'wasm'): Float32Array[] =>
      onBackend(backend, () => {
        const x = tf.tensor4d(randomValues(n * h * w * ci, 1), [n, h, w, ci]);
        const f = tf.tensor4d(randomValues(k * k * ci * co, 2), [k, k, ci, co]);
        const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, s, pad));
        const y = tf.conv2d(x, f, s, pad);
        return [y, ...g([x, f], tf.tensor(randomValues(y.size, 3), y.shape))];
      });
    const [yW, dxW, dfW] = grads('wasm');
    ownConvLimits.maxColsFloats = 16 * 1024 * 1024;
    const [yC, dxC, dfC] = grads('cpu');
    expect(relativeError(yW!, yC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxW!, dxC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dfW!, dfC!)).toBeLessThanOrEqual(1e-4);
    // the forward pass twice (once more inside tf.grads), the filter and the input gradient
    const chunks = chunked ? 3 : 1;
    const [fwd, inp, fil] = (['forward', 'inputGradient', 'filterGradient'] as const).map((kind) => (own(k, ci, co, kind) ? chunks : 0));
    // (at least: the XNNPACK-side compositions' own matMuls also run on the installed GEMM)
    expect(counts.gemm - before[2]!).toBeGreaterThanOrEqual(2 * fwd! + inp! + fil!);
    const pointwise = k === 1 && s === 1;
    expect(counts.im2col - before[0]!).toBe(pointwise ? 0 : 2 * fwd! + fil!);
    expect(counts.col2im - before[1]!).toBe(pointwise ? 0 : inp!);
    expect(tf.memory().numTensors).toBe(numTensors);
  });
});
