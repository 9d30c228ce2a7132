// Side-by-side (one process, steps interleaved) training images/s with and without
// lazyConvGradients (tfjs-core's fused linear convolutions compute the image gradient eagerly).
// Usage: node bench/ab-lazy-convs.mjs <model> [threads] [rounds]
import { performance } from 'node:perf_hooks';
import { useBackend } from '@regstudy/trainer/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const batch = 64;
const model = localModels[name]();
const steps = { eager: trainStep(model, batch, { lazyConvs: false }), lazy: trainStep(model, batch) };
const times = { eager: [], lazy: [] };
for (const w of ['eager', 'lazy']) steps[w].train();
for (let i = 0; i < Number(roundsArg); i++) {
  for (const w of ['eager', 'lazy']) {
    const t0 = performance.now();
    steps[w].train();
    times[w].push(performance.now() - t0);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const w of ['eager', 'lazy']) console.log(`${name} ${w}: ${(batch / (med(times[w]) / 1000)).toFixed(1)} img/s median, ${(batch / (Math.min(...times[w]) / 1000)).toFixed(1)} best (of ${times[w].length}, ms ${times[w].map((t) => t.toFixed(0)).join(' ')})`);
