// Side-by-side (one process, interleaved) training images/s with our wasm kernels vs the stock
// (pre-registration) kernels named on the command line.
// Usage: node bench/ab-kernels.mjs <model> <Kernel[,Kernel]> [threads] [rounds]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from '@regstudy/trainer/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const [name = 'initial', kernelList = 'AvgPoolGrad', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
// 'BatchMatMul:plain' compares ours with ours minus its plain-product path (stock for those).
const plainOnly = kernelList.split(',').filter((k) => k.endsWith(':plain')).map((k) => k.slice(0, -6));
const names = kernelList.split(',').map((k) => k.replace(/:plain$/, ''));
const stock = new Map(names.map((k) => [k, tf.getKernel(k, 'wasm')]));
await useBackend('wasm', { threads: Number(threadsArg) });
const ours = new Map(names.map((k) => [k, tf.getKernel(k, 'wasm')]));
for (const k of plainOnly) {
  const o = ours.get(k);
  const s = stock.get(k);
  stock.set(k, { ...o, kernelFunc: (args) => (args.attrs.transposeA || args.attrs.transposeB ? o.kernelFunc(args) : s.kernelFunc(args)) });
}
const use = (which) => {
  for (const k of names) {
    const cfg = (which === 'ours' ? ours : stock).get(k);
    if (tf.getKernel(k, 'wasm')) tf.unregisterKernel(k, 'wasm');
    if (cfg) tf.registerKernel(cfg);
  }
};
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const times = { ours: [], stock: [] };
for (const w of ['ours', 'stock']) { use(w); train(); }
for (let i = 0; i < Number(roundsArg); i++) {
  for (const w of ['stock', 'ours']) {
    use(w);
    const t0 = performance.now();
    train();
    times[w].push(performance.now() - t0);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const w of ['stock', 'ours']) console.log(`${name} ${kernelList} ${w}: ${(batch / (med(times[w]) / 1000)).toFixed(1)} img/s median, ${(batch / (Math.min(...times[w]) / 1000)).toFixed(1)} best (of ${times[w].length}, ms ${times[w].map((t) => t.toFixed(0)).join(' ')})`);
