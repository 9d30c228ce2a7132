// Side-by-side (one process, steps interleaved) training images/s with our wasm `Mean` gradient
// (a small division and one broadcast) and with tfjs-core's (`dy * ones(x.shape) / R`).
// Usage: node bench/ab-mean-grad.mjs <model> [threads] [rounds]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
const stock = tf.getGradient('Mean'); // models.mjs imports tfjs-layers, which registers the gradients
await useBackend('wasm', { threads: Number(threadsArg) });
const ours = tf.getGradient('Mean');
if (ours === stock) throw new Error('the Mean gradient was not replaced');
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const times = { stock: [], ours: [] };
const use = (w) => tf.registerGradient(w === 'ours' ? ours : stock);
for (const w of ['stock', 'ours']) { use(w); train(); }
for (let i = 0; i < Number(roundsArg); i++) {
  for (const w of ['stock', 'ours']) {
    use(w);
    const t0 = performance.now();
    train();
    times[w].push(performance.now() - t0);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const w of ['stock', 'ours']) console.log(`${name} Mean gradient ${w}: ${(batch / (med(times[w]) / 1000)).toFixed(1)} img/s median, ${(batch / (Math.min(...times[w]) / 1000)).toFixed(1)} best (of ${times[w].length}, ms ${times[w].map((t) => t.toFixed(0)).join(' ')})`);
