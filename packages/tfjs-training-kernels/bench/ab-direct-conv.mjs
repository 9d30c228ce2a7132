// Kernel-level side-by-side of the few-channel direct convolution (tfjs flag
// REGSTUDY_WASM_DIRECT_CONV) against the previous paths, for the forward Conv2D, the fused
// Conv2D + bias + relu, and the stride-1 input gradient, over the Initial / New layers and more.
// Usage: node bench/ab-direct-conv.mjs [threads] [calls] [filter: substring of the case label] [flag]
// (flag: the switch toggled, default REGSTUDY_WASM_DIRECT_CONV; e.g. REGSTUDY_WASM_WINOGRAD compares
// Winograd, which goes first where it qualifies, against what runs without it: the direct conv)
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { kernelMedians } from './interleaved.mjs';

const [threadsArg = '2', callsArg = '9', only = '', FLAG = 'REGSTUDY_WASM_DIRECT_CONV'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
// [x shape, kh, kw, Co, pad]
const shapes = [
  [[64, 64, 64, 3], 3, 3, 10, 'same'],
  [[64, 32, 32, 10], 3, 3, 20, 'same'],
  [[64, 16, 16, 20], 3, 3, 30, 'same'],
  [[64, 32, 32, 16], 3, 3, 32, 'same'],
  [[64, 16, 16, 32], 3, 3, 32, 'same'],
  [[64, 32, 32, 8], 5, 5, 16, 'same'],
  [[64, 32, 32, 32], 1, 1, 16, 'valid'],
  [[64, 16, 16, 32], 3, 3, 16, 'same'],
  [[64, 32, 32, 24], 3, 3, 24, 'same'],
  [[64, 8, 8, 32], 3, 3, 24, 'same'],
  [[64, 64, 64, 3], 3, 3, 32, 'same'],
];
const variants = { off: () => tf.env().set(FLAG, false), on: () => tf.env().set(FLAG, true) };
for (const [shape, kh, kw, co, pad] of shapes) {
  const x = tf.randomNormal(shape);
  const f = tf.randomNormal([kh, kw, shape[3], co]);
  const b = tf.randomNormal([co]);
  const info = tf.backend_util.computeConv2DInfo(shape, [kh, kw, shape[3], co], 1, 1, pad);
  const dy = tf.randomNormal([shape[0], info.outHeight, info.outWidth, co]);
  const gflop = (2 * shape[0] * info.outHeight * info.outWidth * kh * kw * shape[3] * co) / 1e9;
  const cases = {
    Conv2D: () => tf.engine().runKernel('Conv2D', { x, filter: f }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined }),
    'FusedConv2D+bias+relu': () => tf.engine().runKernel('FusedConv2D', { x, filter: f, bias: b }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation: 'relu' }),
    Conv2DBackpropInput: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: shape }),
  };
  for (const [kernel, run] of Object.entries(cases)) {
    const label = `${kernel} x=[${shape}] ${kh}x${kw} ${pad} -> ${co}`;
    if (!label.includes(only)) continue;
    const t = kernelMedians(variants, run, Number(callsArg));
    const gf = (ms) => (gflop / (ms / 1000)).toFixed(1);
    console.log(`${label}: off ${t.off.toFixed(2)} ms (${gf(t.off)} GFLOP/s), on ${t.on.toFixed(2)} ms (${gf(t.on)} GFLOP/s)`);
  }
  tf.dispose([x, f, b, dy]);
}
