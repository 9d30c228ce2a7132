// Side-by-side (one process, steps interleaved) training images/s with our wasm `MaxPoolGrad`
// given the forward output (early exit at the first position equal to the window's maximum) and
// without it (the full first-occurrence scan).
// Usage: node bench/ab-max-pool-grad.mjs <model> [threads] [rounds]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';
import { interleaved, printTrainRates } from './interleaved.mjs';

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
const times = interleaved({ scan: () => use('scan'), early: () => use('early') }, () => train(), Number(roundsArg));
printTrainRates(`${name} MaxPoolGrad`, batch, times);
