import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { smallModels } from './helpers/small-models';
import { OWN_GEMM_FLAG } from '../src/wasm/flags';
import { createBackendGemm } from '../src/wasm/runtime/backend-heap';
import { installOwnGemm } from '../src/wasm/ops/own-gemm-matmul';

/** Products our own GEMM computed (it is installed, and used while OWN_GEMM_FLAG is on). */
let ownGemmCalls = 0;

beforeAll(async () => {
  await setUpCpuAndWasm();
  const wasm = tf.engine().findBackend('wasm');
  const gemm = createBackendGemm(wasm);
  installOwnGemm({ gemm: (...args) => (ownGemmCalls++, gemm.gemm(...args)) }, wasm);
});

const batch = 4;
const classes = 5;

/** Two SGD-with-momentum steps from the given weights; returns the losses and all weights after. */
function trainTwoSteps(backend: 'cpu' | 'wasm', name: string, init: Float32Array[]) {
  tf.setBackend(backend);
  const model = smallModels[name]!();
  tf.tidy(() => model.setWeights(init.map((v, i) => tf.tensor(v, model.getWeights()[i]!.shape))));
  const opt = tf.train.momentum(0.05, 0.9);
  const xs = tf.tensor4d(randomValues(batch * 16 * 16 * 3, 11).map((v) => (v + 1) / 2), [batch, 16, 16, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), classes));
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    )!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  xs.dispose();
  ys.dispose();
  opt.dispose();
  model.dispose();
  return { losses, weights };
}

const cases = Object.keys(smallModels).flatMap((name) => [false, true].map((own) => [name, own] as const));

describe.each(cases)('a training step of the small %s model (own GEMM: %s)', (name, own) => {
  it('gives the same losses and weights on wasm as on cpu (relative error <= 1e-4), without leaks', () => {
    tf.env().set(OWN_GEMM_FLAG, own);
    const callsBefore = ownGemmCalls;
    tf.setBackend('cpu');
    const init = tf.tidy(() => {
      const m = smallModels[name]!();
      const w = m.getWeights().map((t) => t.dataSync().slice() as Float32Array);
      m.dispose();
      return w;
    });
    const before = tf.memory().numTensors;
    const cpu = trainTwoSteps('cpu', name, init);
    const afterCpu = tf.memory().numTensors;
    const wasm = trainTwoSteps('wasm', name, init);
    tf.env().set(OWN_GEMM_FLAG, false);
    // every model has a dense layer: with the flag on, its products ran on our GEMM
    if (own) expect(ownGemmCalls).toBeGreaterThan(callsBefore);
    else expect(ownGemmCalls).toBe(callsBefore);
    // tfjs-layers itself keeps one tensor per trained model (the same on cpu); our kernels add none.
    expect(tf.memory().numTensors - afterCpu).toBe(afterCpu - before);
    expect(afterCpu - before).toBeLessThanOrEqual(1);
    expect(cpu.losses[1]).not.toBe(cpu.losses[0]); // the step changed the weights
    expect(relativeError(wasm.losses, cpu.losses)).toBeLessThanOrEqual(1e-4);
    expect(wasm.weights.length).toBe(cpu.weights.length);
    cpu.weights.forEach((w, i) => {
      expect(relativeError(wasm.weights[i]!, w), `weight ${i}`).toBeLessThanOrEqual(1e-4);
      expect(relativeError(w, init[i]!), `weight ${i} moved`).toBeGreaterThan(0);
    });
  });
});
