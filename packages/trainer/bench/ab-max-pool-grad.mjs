// Side-by-side (one process, steps interleaved) training images/s with our wasm `MaxPoolGrad`
// given the forward output (early exit at the first position equal to the window's maximum) and
// without it (the full first-occurrence scan).
// Usage: node bench/ab-max-pool-grad.mjs <model> [threads] [rounds]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const ours = tf.getKernel('MaxPoolGrad', 'wasm');
const scan = { ...ours, kernelFunc: (args) => ours.kernelFunc({ ...args, inputs: { dy: args.inputs.dy, input: args.inputs.input } }) };
const use = (w) => {
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel(w === 'early' ? ours : scan);
};
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const times = { scan: [], early: [] };
for (const w of ['scan', 'early']) { use(w); train(); }
for (let i = 0; i < Number(roundsArg); i++) {
  for (const w of ['scan', 'early']) {
    use(w);
    const t0 = performance.now();
    train();
    times[w].push(performance.now() - t0);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const w of ['scan', 'early']) console.log(`${name} MaxPoolGrad ${w}: ${(batch / (med(times[w]) / 1000)).toFixed(1)} img/s median, ${(batch / (Math.min(...times[w]) / 1000)).toFixed(1)} best (of ${times[w].length}, ms ${times[w].map((t) => t.toFixed(0)).join(' ')})`);
