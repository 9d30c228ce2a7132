// Side by side, in one process and alternating: one SGD-momentum training step of each model with
// (l1, l2) = (1e-4, 1e-4) as train() takes it, with the L1 and coupled-decay terms through autograd
// (penalty in the loss, addCoupledWeightDecay, then the fused momentum step) and folded into the
// fused momentum step (applyGradientsFolded). Both on wasm with the training kernels.
//
//   node examples/reproduce-paper/bench/fused-l1-step.mjs [--rounds 5] [--batch 100] [--models initial,new,resnet18]
//
// Prints per model the median step seconds of each variant and their ratio; writes
// bench/results/fused-l1-step.json at the repository root.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@regstudy/architectures';
import { addCoupledWeightDecay, penalty } from '@regstudy/regularizers';
import { lazyConvGradients, SgdMomentumOptimizer } from '@regstudy/trainer';
import { useBackend } from '@regstudy/trainer/node';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, batch: { type: 'string', default: '100' }, models: { type: 'string', default: 'initial,new,resnet18' } },
});
const rounds = Number(args.rounds);
const batch = Number(args.batch);
const L1 = 1e-4;
const L2 = 1e-4;

await useBackend('wasm');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function stepper(model) {
  const opt = new SgdMomentumOptimizer(0.001, 0.9);
  const xs = tf.randomUniform([batch, 64, 64, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 200, 'int32'), 200));
  const vars = model.trainableWeights.map((w) => w.read());
  const terms = new Map(vars.map((v) => [v.name, { l1: L1, decay: L2 }]));
  const dataLoss = () => {
    const restore = lazyConvGradients(model);
    try {
      return tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }));
    } finally {
      restore();
    }
  };
  const named = (grads) => vars.map((v) => ({ name: v.name, tensor: grads[v.name] }));
  const autograd = () => {
    const pen = tf.tidy(() => {
      let p;
      const { grads } = tf.variableGrads(() => {
        p = tf.keep(penalty(vars, { l1: L1 }));
        return tf.add(dataLoss(), p);
      }, vars);
      opt.applyGradients(named(addCoupledWeightDecay(grads, vars, L2)));
      return p;
    });
    pen.dataSync();
    pen.dispose();
  };
  const folded = () => {
    const pen = tf.tidy(() => {
      const { grads } = tf.variableGrads(dataLoss, vars);
      return opt.applyGradientsFolded(named(grads), terms);
    });
    pen.dataSync();
    pen.dispose();
  };
  return { autograd, folded, dispose: () => { tf.dispose([xs, ys]); opt.dispose(); } };
}

const results = [];
for (const name of args.models.split(',')) {
  const model = createModel(name, { numClasses: 200 });
  const s = stepper(model);
  s.autograd();
  s.folded(); // warm up both paths
  const t = { autograd: [], folded: [] };
  for (let r = 0; r < rounds; r++) {
    for (const variant of r % 2 === 0 ? ['autograd', 'folded'] : ['folded', 'autograd']) {
      const t0 = performance.now();
      s[variant]();
      t[variant].push((performance.now() - t0) / 1000);
    }
  }
  s.dispose();
  model.dispose();
  const row = { model: name, autogradStepSeconds: median(t.autograd), foldedStepSeconds: median(t.folded) };
  row.speedup = row.autogradStepSeconds / row.foldedStepSeconds;
  results.push(row);
  console.log(`${name}: autograd L1+decay ${row.autogradStepSeconds.toFixed(3)} s/step, folded ${row.foldedStepSeconds.toFixed(3)} s/step, ${row.speedup.toFixed(2)}x`);
}

const root = resolve(import.meta.dirname, '../../..');
const out = join(root, 'bench/results/fused-l1-step.json');
mkdirSync(dirname(out), { recursive: true });
const doc = { date: new Date().toISOString(), node: process.version, batch, rounds, l1: L1, l2: L2, backend: 'wasm', results };
writeFileSync(`${out}.tmp`, `${JSON.stringify(doc, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
