// ResNet-18 stem's filter gradient (x [64,70,70,3], 7x7/2 valid -> 64) with REGSTUDY_WASM_SPLIT_K_FILTER_GRAD
// off (C cut into slabs along M, each packing all of dy) and on (the depth split over the threads):
// relative difference and interleaved kernel medians. Usage: node bench/ab-split-k-stem.mjs
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { kernelMedians } from './interleaved.mjs';
await useBackend('wasm', { threads: 2 });
const x = tf.randomNormal([64, 70, 70, 3]);
const dy = tf.randomNormal([64, 32, 32, 64]);
const attrs = { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [7, 7, 3, 64] };
const flag = 'REGSTUDY_WASM_SPLIT_K_FILTER_GRAD';
const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs);
tf.env().set(flag, false); const a = run(); tf.env().set(flag, true); const b = run();
const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(a)).dataSync()[0];
console.log('rel diff', d);
const t = kernelMedians({ off: () => tf.env().set(flag, false), on: () => tf.env().set(flag, true) }, run, 15);
console.log('stem filter grad', Object.entries(t).map(([k, m]) => `${k} ${m.toFixed(1)}`).join(', '));
