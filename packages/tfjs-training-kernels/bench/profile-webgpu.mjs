// Where a WebGPU training step's time goes (Node, Dawn, a hardware adapter), and what our
// Conv2DBackpropFilter changes. Side by side in one process (interleaved rounds), the step's wall
// time with the stock kernel, with the im2col kernel for every conv, and with the default
// threshold (REGSTUDY_WEBGPU_IM2COL_MIN_ROWS); then GPU time per kernel from tf.profile
// (timestamp queries), and Conv2DBackpropFilter's GPU time per input shape, stock vs im2col.
// Usage: node bench/profile-webgpu.mjs [models=initial,new,resnet18] [batch=64]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@regstudy/architectures';
import { IM2COL_MIN_ROWS_FLAG, registerWebGpuTrainingKernels } from '@regstudy/tfjs-training-kernels';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { trainStep } from './train-step.mjs';

const models = (process.argv[2] ?? 'initial,new,resnet18').split(',');
const batch = Number(process.argv[3] ?? 64);
const sel = await useBackend('webgpu');
console.log(sel.reason);
const defaultMinRows = tf.env().getNumber(IM2COL_MIN_ROWS_FLAG);

/** Kernel settings compared: the stock kernel, im2col everywhere, and the default threshold. */
const settings = {
  stock: () => registerWebGpuTrainingKernels().restore(),
  'im2col all': () => {
    registerWebGpuTrainingKernels();
    tf.env().set(IM2COL_MIN_ROWS_FLAG, 0);
  },
  [`im2col >= ${defaultMinRows} rows (default)`]: () => {
    registerWebGpuTrainingKernels();
    tf.env().set(IM2COL_MIN_ROWS_FLAG, defaultMinRows);
  },
};

async function stepMs(trainAsync, n = 5) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await trainAsync();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

async function profileConvFilter(trainAsync) {
  const prof = await tf.profile(trainAsync);
  const ms = (k) => (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
  const byName = new Map();
  const filterByShape = new Map();
  for (const k of prof.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += ms(k);
    e.n++;
    byName.set(k.name, e);
    if (k.name === 'Conv2DBackpropFilter') {
      const key = JSON.stringify(k.inputShapes);
      filterByShape.set(key, (filterByShape.get(key) ?? 0) + ms(k));
    }
  }
  return { kernels: prof.kernels.length, total: prof.kernels.reduce((s, k) => s + ms(k), 0), byName, filterByShape };
}

for (const name of models) {
  const model = createModel(name);
  const { trainAsync, dispose } = trainStep(model, batch);
  const times = Object.fromEntries(Object.keys(settings).map((k) => [k, []]));
  for (let round = 0; round < 3; round++) {
    for (const [label, apply] of Object.entries(settings)) {
      apply();
      await trainAsync(); // warm-up (compiles shaders in the first round)
      times[label].push(await stepMs(trainAsync));
    }
  }
  console.log(`${name} (batch ${batch}), step wall ms, best of 3 interleaved medians of 5:`);
  for (const [label, t] of Object.entries(times)) {
    const best = Math.min(...t);
    console.log(`  ${label.padEnd(34)} ${best.toFixed(1).padStart(7)} ms  ${(batch / best * 1000).toFixed(0).padStart(6)} img/s`);
  }
  settings.stock();
  const stock = await profileConvFilter(trainAsync);
  settings['im2col all']();
  const ours = await profileConvFilter(trainAsync);
  tf.env().set(IM2COL_MIN_ROWS_FLAG, defaultMinRows);
  console.log(`  GPU kernel time per step: stock ${stock.total.toFixed(1)} ms in ${stock.kernels} kernels; im2col all ${ours.total.toFixed(1)} ms in ${ours.kernels} kernels`);
  for (const [k, v] of [...ours.byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) {
    console.log(`    ${v.ms.toFixed(2).padStart(8)} ms x${v.n} ${k}`);
  }
  console.log('  Conv2DBackpropFilter GPU ms by [x, dy] shape: stock -> im2col');
  for (const [shape, t] of [...stock.filterByShape].sort((a, b) => b[1] - a[1])) {
    console.log(`    ${t.toFixed(2).padStart(8)} -> ${(ours.filterByShape.get(shape) ?? NaN).toFixed(2).padStart(6)}  ${shape}`);
  }
  dispose();
  model.dispose();
}
process.exit(0);
