// Kernel-level side by side (interleaved medians, one process) of the tiny-map convolutions with
// REGSTUDY_WASM_OWN_GEMM_TINY_MAP off (swapped XNNPACK / matMul + routing forms) and on (own GEMM per
// tap run), on ResNet-18's shapes: the 2x2x512 stage (3x3 'same'), the 4x4x256 stage and its 3x3/2
// transition (maps up to 2 kh kw pixels, ownTinyMapLimits), plus a 1x1 map.
// Usage: node bench/ab-own-tiny-map.mjs [threads] [calls]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { kernelMedians } from './interleaved.mjs';

const [threadsArg = '2', callsArg = '9'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const flag = 'REGSTUDY_WASM_OWN_GEMM_TINY_MAP';
const variants = { off: () => tf.env().set(flag, false), on: () => tf.env().set(flag, true) };
const shapes = [
  [64, 2, 2, 512, 512, 3, 1],
  [64, 1, 1, 512, 512, 3, 1],
  [64, 4, 4, 256, 256, 3, 1],
  [64, 4, 4, 256, 512, 3, 2],
];
for (const [n, h, w, ci, co, k, s] of shapes) {
  const x = tf.randomNormal([n, h, w, ci]);
  const f = tf.randomNormal([k, k, ci, co]);
  const y = tf.conv2d(x, f, s, 'same');
  const dy = tf.randomNormal(y.shape);
  const base = { strides: [s, s], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: [1, 1] };
  const runs = {
    Conv2D: () => tf.engine().runKernel('Conv2D', { x, filter: f }, base),
    Conv2DBackpropInput: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...base, inputShape: x.shape }),
    Conv2DBackpropFilter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...base, filterShape: f.shape }),
  };
  for (const [name, run] of Object.entries(runs)) {
    const t = kernelMedians(variants, run, Number(callsArg));
    console.log(`${name} x=[${n},${h},${w},${ci}] ${k}x${k}/${s} -> ${co}: off ${t.off.toFixed(2)} ms, on ${t.on.toFixed(2)} ms (median of ${callsArg}, interleaved)`);
  }
  tf.dispose([x, f, y, dy]);
}
