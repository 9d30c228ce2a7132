// Kernel-level side-by-side of the few-channel filter gradient (tfjs flag
// REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD) against the previous paths, over several shapes.
// Usage: node bench/ab-few-channel-filter-grad.mjs [threads] [calls] [wide]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { kernelMedians } from './interleaved.mjs';

const FLAG = 'REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD';
const [threadsArg = '2', callsArg = '9'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
// [x shape, kh, kw, Co, pad]
const all = [
  [[64, 64, 64, 3], 3, 3, 10, 'same'],
  [[64, 64, 64, 3], 5, 5, 10, 'same'],
  [[64, 64, 64, 3], 3, 3, 32, 'same'],
  [[64, 64, 64, 1], 3, 3, 16, 'same'],
  [[64, 32, 32, 4], 3, 3, 32, 'same'],
  [[64, 32, 32, 4], 3, 3, 8, 'valid'],
  [[64, 64, 64, 3], 7, 7, 16, 'same'],
  [[16, 16, 16, 2], 3, 3, 4, 'same'],
  // wider inputs, in channel passes
  [[64, 32, 32, 10], 3, 3, 20, 'same'],
  [[64, 16, 16, 20], 3, 3, 30, 'same'],
  [[64, 32, 32, 8], 3, 3, 16, 'same'],
  [[64, 32, 32, 16], 3, 3, 32, 'same'], // one channel per pass: declined (both columns the old path)
  [[64, 32, 32, 16], 3, 3, 20, 'same'],
  [[64, 16, 16, 16], 3, 3, 16, 'same'],
  [[64, 32, 32, 6], 5, 5, 12, 'same'],
];
const cases = process.argv[4] === 'wide' ? all.slice(8) : all;
for (const [shape, kh, kw, co, pad] of cases) {
  const x = tf.randomNormal(shape);
  const info = tf.backend_util.computeConv2DInfo(shape, [kh, kw, shape[3], co], 1, 1, pad);
  const dy = tf.randomNormal([shape[0], info.outHeight, info.outWidth, co]);
  const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [kh, kw, shape[3], co] };
  const t = kernelMedians(
    { off: () => tf.env().set(FLAG, false), on: () => tf.env().set(FLAG, true) },
    () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs),
    Number(callsArg),
  );
  console.log(`x=[${shape}] ${kh}x${kw} ${pad} -> ${co}: off ${t.off.toFixed(2)} ms, on ${t.on.toFixed(2)} ms`);
  tf.dispose([x, dy]);
}
