// Checks tfjs's WebGPU backend in Node (Dawn, npm `webgpu`) on a machine with a GPU, through
// `useBackend('webgpu')` from @regstudy/tfjs-training-kernels/node. Needs a hardware adapter (exits 2 without one).
//
//   node bench/webgpu-check.mjs [--models initial,new,resnet18] [--batch 8] [--tolerance 1e-3]
//
// 1. Parity: for each model, one plain-SGD step (lr 0.05) from identical weights on the same batch
//    (on the GPU through lazyConvGradients as in train(), on wasm through tfjs-core's fused convs), in
//    inference mode (dropout off, batch norm on its running statistics, so both backends compute the
//    same function), on webgpu and on wasm (wasm's training kernels are checked against cpu in the
//    unit tests). Compares the loss and every updated weight: relative error = ||a - b|| / ||b||.
// 2. End to end: @regstudy/trainer's train() for 2 epochs of ResNet-18 (--train-model) on random
//    images on webgpu (train mode, L1 + weight decay, weight statistics read asynchronously).
//    Only where @regstudy/trainer resolves (the flat node_modules of scripts/gpu-payload.sh); this
//    package cannot depend on the trainer (the trainer depends on it), so in the workspace it is skipped.
// Prints one JSON line last and exits 1 when a relative error exceeds --tolerance.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@regstudy/architectures';
import { IM2COL_MIN_ROWS_FLAG } from '@regstudy/tfjs-training-kernels';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { forward } from './train-step.mjs';

const trainer = await import('@regstudy/trainer').catch(() => null);

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const models = opt('models', 'initial,new,resnet18').split(',');
const batch = Number(opt('batch', '8'));
const tolerance = Number(opt('tolerance', '1e-3'));
// --backend cpu dry-runs the script on a machine without a GPU.
const gpuBackend = opt('backend', 'webgpu');

function relativeError(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/**
 * Loss and updated weights after one SGD step of `name` on `backend`, starting from `weights`;
 * `lazy`: the forward pass runs under lazyConvGradients, as train() does.
 */
async function oneStep(backend, name, weights, xsData, labels, lazy) {
  await tf.setBackend(backend);
  const model = createModel(name, { seed: 1 });
  if (weights) model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
  const initial = await Promise.all(model.getWeights().map(async (w) => ({ values: await w.data(), shape: w.shape })));
  const xs = tf.tensor4d(xsData, [batch, 64, 64, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 200));
  const sgd = tf.train.sgd(0.05);
  const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(ys, forward(model, xs, { lazyConvs: lazy, training: false })), true);
  const lossValue = (await loss.data())[0];
  const after = await Promise.all(model.trainableWeights.map(async (w) => ({ name: w.originalName, values: await w.read().data() })));
  tf.dispose([xs, ys, loss]);
  sgd.dispose();
  model.dispose();
  return { initial, loss: lossValue, after };
}

const sel = await useBackend(gpuBackend).catch((e) => {
  console.error(`no ${gpuBackend} backend: ${e.message}`);
  process.exit(2);
});
console.log(`${gpuBackend}: ${sel.reason}`);
// Check our im2col Conv2DBackpropFilter on every conv, not only on the large ones it runs on by default.
if (gpuBackend === 'webgpu') tf.env().set(IM2COL_MIN_ROWS_FLAG, 0);
const wasm = await useBackend('wasm');
console.log(`wasm: ${wasm.threads} threads`);

const report = { adapter: sel.reason, batch, tolerance, parity: {}, train: null, ok: true };
for (const name of models) {
  const xsData = Float32Array.from({ length: batch * 64 * 64 * 3 }, (_, i) => ((i * 7919) % 1000) / 1000);
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 37) % 200);
  // wasm with tfjs-core's fused convolutions vs the GPU backend the way train() runs it.
  const ref = await oneStep('wasm', name, null, xsData, labels, false);
  const gpu = await oneStep(gpuBackend, name, ref.initial, xsData, labels, true);
  let worst = { name: '', error: 0 };
  for (let i = 0; i < ref.after.length; i++) {
    const e = relativeError(gpu.after[i].values, ref.after[i].values);
    if (e > worst.error) worst = { name: ref.after[i].name, error: e };
  }
  const lossError = Math.abs(gpu.loss - ref.loss) / Math.abs(ref.loss);
  const ok = lossError <= tolerance && worst.error <= tolerance;
  report.ok &&= ok;
  report.parity[name] = { lossWasm: ref.loss, lossWebgpu: gpu.loss, lossRelError: lossError, worstWeight: worst.name, worstWeightRelError: worst.error, ok };
  console.log(`${name}: loss wasm ${ref.loss.toFixed(6)} webgpu ${gpu.loss.toFixed(6)} (rel ${lossError.toExponential(2)}); ` +
    `worst weight ${worst.name} rel ${worst.error.toExponential(2)} ${ok ? 'OK' : 'MISMATCH'}`);
}

await tf.setBackend(gpuBackend);
if (trainer === null) {
  console.log('train(): skipped (@regstudy/trainer does not resolve here; run from scripts/gpu-payload.sh)');
} else {
  const count = 256;
  const images = Uint8Array.from({ length: count * 64 * 64 * 3 }, (_, i) => (i * 2654435761) >>> 24);
  const split = { images, labels: Int32Array.from({ length: count }, (_, i) => i % 200), count, imageSize: 64 };
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  // ResNet-18: the model whose bias-free convolutions train() runs through lazyConvGradients.
  const model = createModel(opt('train-model', 'resnet18'), { seed: 0 });
  const result = await trainer.train({
    model,
    train: split,
    val: split,
    epochs: 2,
    batchSize: 32,
    seed: 0,
    optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
    regularization: { l1: 1e-4, l2: 1e-4 },
  });
  const h = result.history.at(-1);
  model.dispose();
  report.train = {
    backend: tf.getBackend(),
    status: result.status,
    epochs: result.history.length,
    seconds: (performance.now() - t0) / 1000,
    lastTrainLoss: h.trainLoss,
    lastValLoss: h.valLoss,
    l1Norm: h.weightStats?.total?.l1 ?? null,
    tensorsLeft: tf.memory().numTensors - before,
  };
  report.ok &&= result.status === 'completed' && Number.isFinite(h.trainLoss) && report.train.l1Norm !== null;
  console.log(`train() on ${gpuBackend}: ${JSON.stringify(report.train)}`);
}
console.log(JSON.stringify(report));
// Dawn keeps the event loop alive while navigator.gpu is referenced.
process.exit(report.ok ? 0 : 1);
