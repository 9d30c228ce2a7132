// Side-by-side (one process, interleaved) filter-gradient kernel times and training images/s
// with the tiny-map filter gradient (one GEMM over the batch + routing; tfjs flag
// REGSTUDY_WASM_TINY_MAP_FILTER_GRAD) and without it (the convolution form).
// Usage: node bench/ab-tiny-map-filter-grad.mjs [model] [threads] [rounds]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';
import { interleaved, kernelMedians, printTrainRates } from './interleaved.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const FLAG = 'REGSTUDY_WASM_TINY_MAP_FILTER_GRAD';
for (const [n, h, ci, co] of [[64, 2, 512, 512], [64, 1, 512, 512]]) {
  const x = tf.randomNormal([n, h, h, ci]);
  const dy = tf.randomNormal([n, h, h, co]);
  const t = kernelMedians({ conv: () => tf.env().set(FLAG, false), gemm: () => tf.env().set(FLAG, true) }, () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, ci, co] }), 9);
  console.log(`filter gradient [${n},${h},${h},${ci}] -> ${co}, 3x3 same: conv ${t.conv.toFixed(1)} ms, gemm ${t.gemm.toFixed(1)} ms (median of 9)`);
  tf.dispose([x, dy]);
}
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const variants = { conv: () => tf.env().set(FLAG, false), gemm: () => tf.env().set(FLAG, true) };
const times = interleaved(variants, () => train(), Number(roundsArg));
printTrainRates(`${name} tiny-map filter gradient`, batch, times);
