// Kernel-level side by side (interleaved medians, one process) of ResNet-18's 3x3 stride-1
// convolutions with REGSTUDY_WASM_WINOGRAD off (im2col / col2im + own GEMM, or the tiny-map
// paths on small maps) and on with F(2x2, 3x3) (16 GEMMs) and F(4x4, 3x3) (36 GEMMs on 4x fewer
// tiles), transformed tiles interleaved (default) or as separate per-position matrices
// (winogradLimits.interleaved = false); the "on" sides lower winogradLimits.pixels to the map's
// size, so every row is measured.
// Usage: node bench/ab-winograd.mjs [threads] [calls]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { WINOGRAD_FLAG, winogradLimits } from '@regstudy/tfjs-training-kernels/internal';
import { kernelMedians } from './interleaved.mjs';

const [threadsArg = '2', callsArg = '9'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const defaults = { ...winogradLimits };
const defaultPixels = defaults.pixels;
const shapes = [
  [64, 16, 16, 64, 64],
  [64, 8, 8, 128, 128],
  [64, 4, 4, 256, 256],
  [64, 2, 2, 512, 512],
  [64, 32, 32, 32, 32],
];
for (const [n, h, w, ci, co] of shapes) {
  const on = (tile, interleaved = true) => () => {
    tf.env().set(WINOGRAD_FLAG, true);
    winogradLimits.pixels = Math.min(defaultPixels, h * w);
    winogradLimits.tile = tile;
    winogradLimits.interleaved = interleaved;
  };
  const variants = { off: () => tf.env().set(WINOGRAD_FLAG, false), f2: on(2), f4: on(4), f4sep: on(4, false) };
  const x = tf.randomNormal([n, h, w, ci]);
  const f = tf.randomNormal([3, 3, ci, co]);
  const y = tf.conv2d(x, f, 1, 'same');
  const dy = tf.randomNormal(y.shape);
  const base = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: [1, 1] };
  const runs = {
    Conv2D: () => tf.engine().runKernel('Conv2D', { x, filter: f }, base),
    Conv2DBackpropInput: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...base, inputShape: x.shape }),
    Conv2DBackpropFilter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...base, filterShape: f.shape }),
  };
  const gflop = (2 * n * h * w * ci * co * 9) / 1e9;
  for (const [name, run] of Object.entries(runs)) {
    const t = kernelMedians(variants, run, Number(callsArg));
    const rate = (ms) => `${ms.toFixed(2)} ms (${(t.off / ms).toFixed(2)}x, direct-equivalent ${((gflop / ms) * 1e3).toFixed(0)} GFLOP/s)`;
    console.log(`${name} x=[${n},${h},${w},${ci}] 3x3 -> ${co}: off ${t.off.toFixed(2)} ms, F(2x2) ${rate(t.f2)}, F(4x4) ${rate(t.f4)}, F(4x4) per-position matrices ${rate(t.f4sep)}; median of ${callsArg}, interleaved`);
  }
  Object.assign(winogradLimits, defaults);
  tf.dispose([x, f, y, dy]);
}
