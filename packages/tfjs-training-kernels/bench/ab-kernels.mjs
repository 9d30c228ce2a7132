// Side-by-side (one process, interleaved) training images/s with our wasm kernels vs the stock
// (pre-registration) kernels named on the command line.
// Usage: node bench/ab-kernels.mjs <model> <Kernel[,Kernel]> [threads] [rounds]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';
import { interleaved, printTrainRates } from './interleaved.mjs';

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
const times = interleaved({ stock: () => use('stock'), ours: () => use('ours') }, () => train(), Number(roundsArg));
printTrainRates(`${name} ${kernelList}`, batch, times);
