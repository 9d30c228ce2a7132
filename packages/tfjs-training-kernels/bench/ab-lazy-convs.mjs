// Side-by-side (one process, steps interleaved) training images/s with and without
// lazyConvGradients (tfjs-core's fused linear convolutions compute the image gradient eagerly).
// Usage: node bench/ab-lazy-convs.mjs <model> [threads] [rounds]
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';
import { interleaved, printTrainRates } from './interleaved.mjs';

const [name = 'resnet18', threadsArg = '2', roundsArg = '5'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const batch = 64;
const model = localModels[name]();
const steps = { eager: trainStep(model, batch, { lazyConvs: false }), lazy: trainStep(model, batch) };
const none = () => {};
const times = interleaved({ eager: none, lazy: none }, (w) => steps[w].train(), Number(roundsArg));
printTrainRates(name, batch, times);
