// Side-by-side (one process, steps interleaved) training images/s with our wasm `Mean` gradient
// (a small division and one broadcast) and with tfjs-core's (`dy * ones(x.shape) / R`).
// Usage: node bench/ab-mean-grad.mjs <model> [threads] [rounds]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';
import { interleaved, printTrainRates } from './interleaved.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
const stock = tf.getGradient('Mean'); // models.mjs imports tfjs-layers, which registers the gradients
await useBackend('wasm', { threads: Number(threadsArg) });
const ours = tf.getGradient('Mean');
if (ours === stock) throw new Error('the Mean gradient was not replaced');
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
const use = (w) => tf.registerGradient(w === 'ours' ? ours : stock);
const times = interleaved({ stock: () => use('stock'), ours: () => use('ours') }, () => train(), Number(roundsArg));
printTrainRates(`${name} Mean gradient`, batch, times);
