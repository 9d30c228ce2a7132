// Side-by-side (one process, interleaved) filter-gradient kernel times and training images/s
// with the tiny-map filter gradient (one GEMM over the batch + routing; tfjs flag
// REGSTUDY_WASM_TINY_MAP_FILTER_GRAD) and without it (the convolution form).
// Usage: node bench/ab-tiny-map-filter-grad.mjs [model] [threads] [rounds]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const FLAG = 'REGSTUDY_WASM_TINY_MAP_FILTER_GRAD';
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [n, h, ci, co] of [[64, 2, 512, 512], [64, 1, 512, 512]]) {
  const x = tf.randomNormal([n, h, h, ci]);
  const dy = tf.randomNormal([n, h, h, co]);
  const t = { conv: [], gemm: [] };
  for (let i = 0; i < 9; i++) {
    for (const w of ['conv', 'gemm']) {
      tf.env().set(FLAG, w === 'gemm');
      const t0 = performance.now();
      const g = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, ci, co] });
      g.dataSync();
      t[w].push(performance.now() - t0);
      g.dispose();
    }
  }
  console.log(`filter gradient [${n},${h},${h},${ci}] -> ${co}, 3x3 same: conv ${med(t.conv).toFixed(1)} ms, gemm ${med(t.gemm).toFixed(1)} ms (median of 9)`);
  tf.dispose([x, dy]);
}
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const times = { conv: [], gemm: [] };
for (const w of ['conv', 'gemm']) { tf.env().set(FLAG, w === 'gemm'); train(); }
for (let i = 0; i < Number(roundsArg); i++) {
  for (const w of ['conv', 'gemm']) {
    tf.env().set(FLAG, w === 'gemm');
    const t0 = performance.now();
    train();
    times[w].push(performance.now() - t0);
  }
}
for (const w of ['conv', 'gemm']) console.log(`${name} tiny-map filter gradient ${w}: ${(batch / (med(times[w]) / 1000)).toFixed(1)} img/s median, ${(batch / (Math.min(...times[w]) / 1000)).toFixed(1)} best (of ${times[w].length}, ms ${times[w].map((v) => v.toFixed(0)).join(' ')})`);
