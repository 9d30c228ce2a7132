import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createModel } from '@regstudy/architectures';
import { beforeAll, describe, expect, it } from 'vitest';
import { lazyConvGradients } from '../src/lazy-conv-gradients';
import { randomValues, setUpCpuAndWasm } from './helpers/backends';

beforeAll(setUpCpuAndWasm);

/** A ResNet-style stem: pad, linear bias-free strided conv, batch norm, relu, then a biased conv. */
function stemModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [9, 9, 3] });
  let y = tfl.layers.zeroPadding2d({ padding: 1 }).apply(input) as tfl.SymbolicTensor;
  y = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.activation({ activation: 'relu' }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.flatten().apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: y });
}

/** Gradients of sum(model(x)^2) w.r.t. every trainable weight, and the kernels the step ran. */
async function gradsOf(model: tfl.LayersModel, x: tf.Tensor, lazy: boolean) {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let grads: Float32Array[] = [];
  const prof = await tf.profile(() => {
    const restore = lazy ? lazyConvGradients(model) : () => {};
    const { grads: g, value } = tf.variableGrads(() => {
      try {
        return tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor));
      } finally {
        restore();
      }
    }, vars);
    grads = vars.map((v) => g[v.name]!.dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(g)]);
  });
  return { grads, kernels: prof.kernels.map((k) => k.name) };
}

const count = (names: string[], name: string) => names.filter((n) => n === name).length;

/**
 * One SGD step of a fresh study model on 4 random 16x16 images, with or without
 * lazyConvGradients: the loss, every weight after the step, and how often the fused bias + relu
 * kernel ran.
 */
async function sgdStep(name: 'initial' | 'new' | 'resnet18', lazy: boolean, inputSeed: number, labels: number[]) {
  const model = createModel(name, { inputShape: [16, 16, 3], numClasses: 10, seed: 1, ...(name === 'new' ? { dropout: 0 } : {}) });
  const opt = tf.train.sgd(0.1);
  const xs = tf.tensor4d(randomValues(4 * 16 * 16 * 3, inputSeed), [4, 16, 16, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
  let loss = 0;
  const prof = await tf.profile(() => {
    const l = opt.minimize(() => {
      const restore = lazy ? lazyConvGradients(model) : () => {};
      try {
        return tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
      } finally {
        restore();
      }
    }, true)!;
    loss = l.dataSync()[0]!;
    l.dispose();
  });
  const out = { loss, weights: model.getWeights().map((w) => Array.from(w.dataSync())), fused: count(prof.kernels.map((k) => k.name), 'RegstudyConv2DBiasRelu') };
  tf.dispose([xs, ys]);
  opt.dispose();
  model.dispose();
  return out;
}

describe('lazyConvGradients', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`gives bit-identical gradients and skips only the image's input gradient (${backend})`, async () => {
      tf.setBackend(backend);
      const model = stemModel();
      const x = tf.tensor4d(randomValues(2 * 9 * 9 * 3, 7), [2, 9, 9, 3]);
      const before = tf.memory().numTensors;
      const eager = await gradsOf(model, x, false);
      const lazy = await gradsOf(model, x, true);
      expect(tf.memory().numTensors).toBe(before);
      expect(lazy.grads.length).toBe(eager.grads.length);
      lazy.grads.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(eager.grads[i]!)));
      // Eager: both linear convs compute an input gradient (the stem's is discarded); lazy: only
      // the second one's, which the stem needs. The biased relu 1x1 conv runs unfused on cpu, and
      // as the fused RegstudyConv2DBiasRelu on wasm (same bits, same gradients).
      const eagerInputGrads = count(eager.kernels, 'Conv2DBackpropInput');
      expect(count(lazy.kernels, 'Conv2DBackpropInput')).toBe(eagerInputGrads - 1);
      expect(count(lazy.kernels, 'Conv2DBackpropFilter')).toBe(count(eager.kernels, 'Conv2DBackpropFilter'));
      expect(count(lazy.kernels, 'RegstudyConv2DBiasRelu')).toBe(backend === 'wasm' ? 1 : 0);
      x.dispose();
      model.dispose();
    });
  }

  it('patches linear bias-free and bias + relu 2-D convs, once, and restores them', () => {
    tf.setBackend('cpu');
    const model = stemModel();
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    const own = () => convs.map((l) => Object.prototype.hasOwnProperty.call(l, 'call'));
    expect(own()).toEqual([false, false, false]);
    const restore = lazyConvGradients(model);
    expect(own()).toEqual([true, true, true]);
    const again = lazyConvGradients(model);
    again();
    expect(own()).toEqual([true, true, true]);
    restore();
    expect(own()).toEqual([false, false, false]);
    model.dispose();
  });

  it('gives the same ResNet-18 training step (loss and weights) with and without it (wasm)', async () => {
    tf.setBackend('wasm');
    const step = (lazy: boolean) => sgdStep('resnet18', lazy, 3, [1, 4, 7, 9]);
    const before = tf.memory().numTensors;
    const eager = await step(false);
    const lazy = await step(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(lazy.loss).toBe(eager.loss);
    expect(lazy.weights).toEqual(eager.weights);
  });

  it.each(['initial', 'new'] as const)('gives the same %s training step, bit for bit, with the fused bias + relu convolutions (wasm)', async (name) => {
    tf.setBackend('wasm');
    const step = (lazy: boolean) => sgdStep(name, lazy, 5, [2, 5, 7, 9]);
    const before = tf.memory().numTensors;
    const eager = await step(false);
    const lazy = await step(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(eager.fused).toBe(0);
    expect(lazy.fused).toBe(name === 'new' ? 3 : 2);
    expect(lazy.loss).toBe(eager.loss);
    expect(lazy.weights).toEqual(eager.weights);
  });
});
