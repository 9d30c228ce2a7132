import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWN_GEMM_FLAG } from '../src/backends/wasm/flags';
import { createBackendGemm } from '../src/backends/wasm/gemm/backend-heap';
import { installOwnGemm } from '../src/backends/wasm/gemm/own-gemm-matmul';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';

let calls = 0;

beforeAll(async () => {
  await setUpCpuAndWasm();
  const wasm = tf.engine().findBackend('wasm');
  const gemm = createBackendGemm(wasm);
  installOwnGemm({ gemm: (...args) => (calls++, gemm.gemm(...args)) }, wasm);
  tf.env().set(OWN_GEMM_FLAG, true);
});

afterAll(() => {
  tf.env().set(OWN_GEMM_FLAG, false);
  installOwnGemm(null);
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
    const before = calls;
    const numTensors = tf.memory().numTensors;
    const size = (s: number[]): number => s.reduce((x, y) => x * y, 1);
    const f = (): tf.Tensor => tf.matMul(tf.tensor(randomValues(size(sa), 3), sa), tf.tensor(randomValues(size(sb), 4), sb), ta, tb);
    const [want] = onBackend('cpu', f);
    const [got] = onBackend('wasm', f);
    expect(relativeError(got!, want!)).toBeLessThanOrEqual(1e-5);
    expect(calls > before).toBe(used);
    expect(tf.memory().numTensors).toBe(numTensors);
  });
});
