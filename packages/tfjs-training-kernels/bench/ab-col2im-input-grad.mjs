// Side-by-side (one process, interleaved) strided Conv2DBackpropInput kernel times with the
// GEMM + col2im form (tfjs flag REGSTUDY_WASM_COL2IM_INPUT_GRAD) and without it (phase split /
// zero-dilated dy), on ResNet-18's strided layers, then training images/s of a model.
// Usage: node bench/ab-col2im-input-grad.mjs [model] [threads] [rounds]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';
import { interleaved, kernelMedians, printTrainRates } from './interleaved.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '7'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const FLAG = 'REGSTUDY_WASM_COL2IM_INPUT_GRAD';
// [input shape, k, Co]: 3x3 stride-2 'same' convs and the 1x1 stride-2 downsamples
for (const [xs, k, co] of [[[64, 8, 8, 128], 3, 256], [[64, 16, 16, 64], 3, 128], [[64, 4, 4, 256], 3, 512], [[64, 16, 16, 64], 1, 128], [[64, 8, 8, 128], 1, 256]]) {
  const filter = tf.randomNormal([k, k, xs[3], co]);
  const dy = tf.randomNormal([xs[0], xs[1] / 2, xs[2] / 2, co]);
  const t = kernelMedians({ off: () => tf.env().set(FLAG, false), on: () => tf.env().set(FLAG, true) }, () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { inputShape: xs, strides: [2, 2], pad: k === 1 ? 'valid' : 'same', dataFormat: 'NHWC', dimRoundingMode: undefined }), 9);
  console.log(`input gradient [${xs}] <- ${k}x${k}x${co} stride 2: off ${t.off.toFixed(1)} ms, on ${t.on.toFixed(1)} ms (median of 9)`);
  tf.dispose([filter, dy]);
}
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const variants = { off: () => tf.env().set(FLAG, false), on: () => tf.env().set(FLAG, true) };
const times = interleaved(variants, () => train(), Number(roundsArg));
printTrainRates(`${name} ${FLAG}`, batch, times);
