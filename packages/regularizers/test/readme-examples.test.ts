// The README's two examples, shrunk to a tiny model, so that they keep compiling and working.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { addCoupledWeightDecay, elasticNet, l1, l2, penalty, proximalL1, weightStats } from '../src/index';
import { useCpu } from './helpers';

beforeAll(useCpu);

const classes = 3;
function data() {
  return tf.tidy(() => ({
    xs: tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 1) as tf.Tensor4D,
    ys: tf.tensor1d([0, 1, 2, 1], 'int32'),
  }));
}

describe('README examples', () => {
  it('model.fit with layer regularizers', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, kernelRegularizer: l1(1e-4) }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: classes, kernelRegularizer: elasticNet({ l1: 1e-4, l2: 1e-4 }), biasRegularizer: l2(1e-4) }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(1e-3), loss: 'sparseCategoricalCrossentropy' });
    const { xs, ys } = data();
    const ysF = tf.cast(ys, 'float32');
    const h = await model.fit(xs, ysF, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history['loss']?.[0])).toBe(true);
    tf.dispose([xs, ys, ysF]);
    model.dispose();
  });

  it('custom loop: L1 in the loss, coupled L2 decay, proximal L1, stats; no leaks', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [6, 6, 1] }), tfl.layers.dense({ units: classes })],
    });
    const opt: tf.Optimizer = tf.train.momentum(1e-3, 0.9);
    const prox = proximalL1({ lambda: 1e-4, select: 'kernels' });
    const step = () => {
      const { xs, ys } = data();
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() =>
          tf.add(
            tf.losses.softmaxCrossEntropy(tf.oneHot(ys, classes), model.apply(xs, { training: true }) as tf.Tensor),
            penalty(model, { l1: 1e-4, select: 'all' }),
          ),
        ),
      );
      const decayed = addCoupledWeightDecay(grads, model, 1e-4);
      opt.applyGradients(decayed);
      prox.apply(model, { learningRate: 1e-3 });
      const loss = value.dataSync()[0];
      tf.dispose([value, xs, ys]);
      tf.dispose(grads);
      tf.dispose(decayed);
      return loss;
    };
    step(); // creates the optimizer's momentum slots
    const before = tf.memory().numTensors;
    expect(Number.isFinite(step())).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(weightStats(model).total.count).toBe(6 * 6 * classes + classes);
    opt.dispose();
    model.dispose();
  });
});
