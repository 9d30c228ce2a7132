// Side-by-side (one process, steps interleaved) training images/s with one of our wasm kernel
// switches on and off (tfjs flags REGSTUDY_WASM_TINY_MAP_FILTER_GRAD, REGSTUDY_WASM_TILED_MAX_POOL_GRAD),
// plus, for the MaxPoolGrad switch, interleaved kernel calls on New's first pool.
// Usage: node bench/ab-flag.mjs <FLAG> [model] [threads] [rounds]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const [flag, name = 'new', threadsArg = '2', roundsArg = '9'] = process.argv.slice(2);
if (!flag) throw new Error('usage: node bench/ab-flag.mjs <FLAG> [model] [threads] [rounds]');
await useBackend('wasm', { threads: Number(threadsArg) });
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
if (flag === 'REGSTUDY_WASM_TILED_MAX_POOL_GRAD') {
  for (const shape of [[64, 32, 32, 20], [64, 16, 16, 30]]) {
    const x = tf.relu(tf.randomNormal(shape));
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.randomNormal(y.shape);
    const t = { off: [], on: [] };
    for (let i = 0; i < 15; i++) {
      for (const w of ['off', 'on']) {
        tf.env().set(flag, w === 'on');
        const t0 = performance.now();
        const g = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined });
        g.dataSync();
        t[w].push(performance.now() - t0);
        g.dispose();
      }
    }
    console.log(`MaxPoolGrad [${shape}] 2x2/2: off ${med(t.off).toFixed(2)} ms, on ${med(t.on).toFixed(2)} ms (median of 15)`);
    tf.dispose([x, y, dy]);
  }
}
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const times = { off: [], on: [] };
for (const w of ['off', 'on']) { tf.env().set(flag, w === 'on'); train(); }
for (let i = 0; i < Number(roundsArg); i++) {
  for (const w of ['off', 'on']) {
    tf.env().set(flag, w === 'on');
    const t0 = performance.now();
    train();
    times[w].push(performance.now() - t0);
  }
}
for (const w of ['off', 'on']) console.log(`${name} ${flag} ${w}: ${(batch / (med(times[w]) / 1000)).toFixed(1)} img/s median, ${(batch / (Math.min(...times[w]) / 1000)).toFixed(1)} best (of ${times[w].length}, ms ${times[w].map((v) => v.toFixed(0)).join(' ')})`);
