import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createModel } from '@regstudy/architectures';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { OWN_GEMM_FLAG } from '../src/wasm/flags';
import { createBackendGemm } from '../src/wasm/runtime/backend-heap';
import { installOwnGemm } from '../src/wasm/ops/own-gemm-matmul';

// The study's real model factories (smaller inputs and heads so that the cpu reference stays fast;
// every layer kind and stride of the full models is exercised). New's dropout is unseeded in the
// factory, so it is off here; seeded dropout is covered by wasm-training-step.test.ts.
// ResNet-18 on small inputs ends at 1x1 before pooling, so its last batch norms see only `batch`
// values per channel; with batch 2 that is so ill-conditioned that float32 summation order alone
// moves weights by ~5% (32x32: batch 4 gives 1.3e-4, batch 8 <= 2e-5), hence batch 8. 16x16 keeps
// the cpu reference step short (a long synchronous step starves vitest's worker RPC); the strided
// phase-split path, which needs larger maps, is covered by wasm-kernels.test.ts.
const cases: [name: 'initial' | 'new' | 'resnet18', size: number, batch: number][] = [
  ['initial', 32, 2],
  ['new', 32, 2],
  ['resnet18', 16, 8],
];

/** Calls into our own GEMM (installed here, used while REGSTUDY_WASM_OWN_GEMM is on). */
const ownCalls = { gemm: 0, im2col: 0, winograd: 0 };

beforeAll(async () => {
  await setUpCpuAndWasm();
  const wasm = tf.engine().findBackend('wasm');
  const g = createBackendGemm(wasm);
  installOwnGemm(
    {
      gemm: (...args) => (ownCalls.gemm++, g.gemm(...args)),
      im2col: (...args) => (ownCalls.im2col++, g.im2col(...args)),
      col2im: (...args) => g.col2im(...args),
      gemmBatch: (products) => g.gemmBatch(products),
      winogradTiles: (...args) => (ownCalls.winograd++, g.winogradTiles(...args)),
      winogradFilter: (...args) => g.winogradFilter(...args),
    },
    wasm,
  );
});

function build(name: 'initial' | 'new' | 'resnet18', size: number): LayersModel {
  return createModel(name, { inputShape: [size, size, 3], numClasses: 10, seed: 1, ...(name === 'new' ? { dropout: 0 } : {}) });
}

function oneStep(backend: 'cpu' | 'wasm', name: 'initial' | 'new' | 'resnet18', size: number, batch: number) {
  tf.setBackend(backend);
  const before = { tensors: tf.memory().numTensors, buffers: tf.backend().numDataIds() };
  const model = build(name, size);
  const opt = tf.train.momentum(0.01, 0.9);
  const xs = tf.tensor4d(randomValues(batch * size * size * 3, 5).map((v) => (v + 1) / 2), [batch, size, size, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => (3 + 4 * i) % 10), 'int32'), 10));
  const loss = opt.minimize(
    () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
    true,
  )!;
  const out = { loss: loss.dataSync()[0]!, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) };
  tf.dispose([loss, xs, ys]);
  opt.dispose();
  model.dispose();
  // what a step leaves behind (tfjs-layers keeps a tensor per step on every backend), to compare
  const left = { tensors: tf.memory().numTensors - before.tensors, buffers: tf.backend().numDataIds() - before.buffers };
  return { ...out, left };
}

describe.each(cases)('one training step of the study model %s (input %i, batch %i)', (name, size, batch) => {
  it('gives the same loss and weights on wasm as on cpu (relative error <= 1e-4)', async () => {
    const cpu = oneStep('cpu', name, size, batch);
    // Let vitest's worker answer its RPCs between the two long synchronous steps.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(Number.isFinite(cpu.loss)).toBe(true);
    // XNNPACK forms (flag off), then our own GEMM for the products and the larger convolutions
    for (const own of [false, true]) {
      tf.env().set(OWN_GEMM_FLAG, own);
      const calls = { ...ownCalls };
      const wasm = oneStep('wasm', name, size, batch);
      tf.env().set(OWN_GEMM_FLAG, false);
      expect(ownCalls.gemm > calls.gemm, `own GEMM used: ${own}`).toBe(own);
      // ResNet-18's 64..512-channel 3x3 convolutions are above OWN_CONV_MIN; its 4x4 stage's
      // 3x3 stride-1 ones run as Winograd F(4x4, 3x3) (REGSTUDY_WASM_WINOGRAD)
      if (name === 'resnet18') expect(ownCalls.im2col > calls.im2col).toBe(own);
      if (name === 'resnet18') expect(ownCalls.winograd > calls.winograd).toBe(own);
      expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss), `own ${own}`).toBeLessThanOrEqual(1e-4);
      expect(wasm.weights.length).toBe(cpu.weights.length);
      const errors = cpu.weights.map((w, i) => relativeError(wasm.weights[i]!, w));
      errors.forEach((e, i) => expect(e, `weight ${i}, own ${own}`).toBeLessThanOrEqual(1e-4));
      // the wasm kernels leave no tensor and no heap buffer behind beyond what cpu's leave
      expect(wasm.left).toEqual(cpu.left);
    }
  }, 120_000);
});
