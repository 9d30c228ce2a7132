// One SGD-with-momentum training step (the optimizer `train()` builds: SgdMomentumOptimizer) of `model` on a fixed random batch (64x64x3 inputs, 200
// classes, softmax cross-entropy), shared by bench.mjs, ab-kernels.mjs and profile-step.mjs.
// The loss is read outside tidy: tidy() walks a returned typed array element by element.
import * as tf from '@tensorflow/tfjs-core';
import { lazyConvGradients, SgdMomentumOptimizer } from '@regstudy/tfjs-training-kernels';

/** `model.apply(xs, { training })`, under `lazyConvGradients` when `lazyConvs` (as `train()` runs it). */
export function forward(model, xs, { lazyConvs = true, training = true } = {}) {
  const restore = lazyConvs ? lazyConvGradients(model) : () => {};
  try {
    return model.apply(xs, { training });
  } finally {
    restore();
  }
}

/**
 * Returns `{ xs, opt, loss, train, trainAsync, dispose }`: the input batch, one training step on it (read back
 * synchronously, or asynchronously for GPU backends whose synchronous read is slow or unsupported),
 * and a cleanup; `opt` is the optimizer and `loss()` the step's loss function (for profiling the
 * optimizer alone). The forward pass runs under `lazyConvGradients`, as `train()` does (pass
 * `{ lazyConvs: false }` for tfjs-core's eager fused-convolution gradients).
 */
export function trainStep(model, batch, { lazyConvs = true } = {}) {
  const opt = new SgdMomentumOptimizer(0.001, 0.9);
  const xs = tf.randomUniform([batch, 64, 64, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 200, 'int32'), 200));
  const loss = () => tf.losses.softmaxCrossEntropy(ys, forward(model, xs, { lazyConvs }));
  const train = () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, forward(model, xs, { lazyConvs })), true);
    loss.dataSync();
    loss.dispose();
  };
  const trainAsync = async () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, forward(model, xs, { lazyConvs })), true);
    await loss.data();
    loss.dispose();
  };
  const dispose = () => {
    tf.dispose([xs, ys]);
    opt.dispose();
  };
  return { xs, opt, loss, train, trainAsync, dispose };
}
