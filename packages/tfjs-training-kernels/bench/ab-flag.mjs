// Side-by-side (one process, steps interleaved) training images/s with one of our wasm kernel
// switches on and off (tfjs flags such as REGSTUDY_WASM_MAXPOOL_GRAD_WASM,
// REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD, REGSTUDY_WASM_FUSED_SGD_MOMENTUM),
// plus, for the MaxPoolGrad switch, interleaved kernel calls on New's first pool.
// Usage: node bench/ab-flag.mjs <FLAG> [model] [threads] [rounds]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';
import { interleaved, kernelMedians, printTrainRates } from './interleaved.mjs';

const [flag, name = 'new', threadsArg = '2', roundsArg = '9'] = process.argv.slice(2);
if (!flag) throw new Error('usage: node bench/ab-flag.mjs <FLAG> [model] [threads] [rounds]');
await useBackend('wasm', { threads: Number(threadsArg) });
if (flag === 'REGSTUDY_WASM_MAXPOOL_GRAD_WASM') {
  for (const shape of [[64, 32, 32, 20], [64, 16, 16, 30]]) {
    const x = tf.relu(tf.randomNormal(shape));
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.randomNormal(y.shape);
    const t = kernelMedians(
      { off: () => tf.env().set(flag, false), on: () => tf.env().set(flag, true) },
      () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined }),
      15,
    );
    console.log(`MaxPoolGrad [${shape}] 2x2/2: off ${t.off.toFixed(2)} ms, on ${t.on.toFixed(2)} ms (median of 15)`);
    tf.dispose([x, y, dy]);
  }
}
if (flag === 'REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD') {
  // New's / Initial's first layer: x [64,64,64,3], 3x3 'same' -> 10 channels
  const x = tf.randomNormal([64, 64, 64, 3]);
  const dy = tf.randomNormal([64, 64, 64, 10]);
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 3, 10] };
  const t = kernelMedians(
    { off: () => tf.env().set(flag, false), on: () => tf.env().set(flag, true) },
    () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs),
    15,
  );
  console.log(`Conv2DBackpropFilter x=[64,64,64,3] 3x3 same -> 10: off ${t.off.toFixed(2)} ms, on ${t.on.toFixed(2)} ms (median of 15, interleaved)`);
  tf.dispose([x, dy]);
}
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const variants = { off: () => tf.env().set(flag, false), on: () => tf.env().set(flag, true) };
const times = interleaved(variants, () => train(), Number(roundsArg));
printTrainRates(`${name} ${flag}`, batch, times);
