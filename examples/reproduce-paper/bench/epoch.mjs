// Whole epochs of the paper protocol against the paper's own PyTorch loop (`pnpm bench --only epoch`).
//
// On one synthetic Tiny-ImageNet folder in the official layout (200 classes x 50 train + 10 val
// JPEGs; --quick: 20 classes), times epoch 2 of a 2-epoch run of each model under
// (l1, l2) = (1e-4, 1e-4) (l2 as PyTorch's coupled weight_decay), batch 100, SGD lr 0.001
// momentum 0.9, with weight statistics and a checkpoint each epoch, through @regstudy/trainer's
// train() on wasm (what `reproduce-paper --preset paper` runs per grid cell). Then the same
// epoch of the notebook's loop in PyTorch (epoch_pytorch.py: JPEGs decoded each epoch, and
// tensors decoded once into memory).
//
//   node examples/reproduce-paper/bench/epoch.mjs [--quick] [--models initial,new,resnet18] [--no-pytorch]
//
// Prints epoch seconds, train images/s, ratios (PyTorch epoch seconds / ours) and where our epoch
// goes: train batches (data + forward/backward + step), then val pass + end-of-epoch penalty +
// weight statistics (from the events), then the checkpoint; weight statistics and the val pass
// are also timed alone after the run. Writes bench/results/epoch.json at the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@regstudy/architectures';
import { weightStatsAsync } from '@regstudy/regularizers';
import { loadTinyImageNet, writeSyntheticTinyImageNet } from '@regstudy/tinyimagenet';
import { train } from '@regstudy/trainer';
import { useBackend } from '@regstudy/trainer/node';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    models: { type: 'string', default: 'initial,new,resnet18' },
    'no-pytorch': { type: 'boolean', default: false },
  },
});
const root = resolve(import.meta.dirname, '../../..');
const classes = args.quick ? 20 : 200;
const data = join(root, '.cache/bench-epoch', `synth-${classes}`);
const folder = join(data, 'tiny-imagenet-200');
if (!existsSync(join(folder, 'wnids.txt'))) {
  await writeSyntheticTinyImageNet(data, { classes, trainPerClass: 50, valPerClass: 10, seed: 7, overwrite: true });
}
await useBackend('wasm');
const trainSplit = await loadTinyImageNet({ source: folder, split: 'train', cacheDir: join(data, 'cache') });
const valSplit = await loadTinyImageNet({ source: folder, split: 'val', cacheDir: join(data, 'cache') });
const load = loadavg()[0];

const L1 = 1e-4;
const L2 = 1e-4;
const rows = [];
for (const name of args.models.split(',')) {
  const model = createModel(name, { numClasses: classes });
  const ckpt = join(data, `ckpt-${name}`);
  rmSync(ckpt, { recursive: true, force: true });
  const marks = {};
  const t = () => performance.now() / 1000;
  const result = await train({
    model,
    train: trainSplit,
    val: valSplit,
    epochs: 2,
    batchSize: 100,
    seed: 1,
    optimizer: { kind: 'sgd', learningRate: 0.001, momentum: 0.9 },
    regularization: { l1: L1, l2: L2 },
    weightStats: true,
    checkpoint: { dir: ckpt },
    onEvent: (e) => {
      const m = (marks[e.type === 'epoch' ? e.record.epoch : (e.epoch ?? 0)] ??= {});
      if (e.type === 'batch') {
        m.firstBatch ??= t();
        m.lastBatch = t();
      } else if (e.type === 'epoch') m.epoch = t();
      else if (e.type === 'checkpoint') m.checkpoint = t();
    },
  });
  const r2 = result.history[1];
  const m1 = marks[1];
  const m2 = marks[2];
  // epoch 2 starts right after epoch 1's checkpoint event
  const epochSeconds = m2.checkpoint - m1.checkpoint;
  const trainSeconds = m2.lastBatch - m1.checkpoint;
  const valStatsSeconds = m2.epoch - m2.lastBatch;
  const checkpointSeconds = m2.checkpoint - m2.epoch;
  // alone: weight statistics, and the val pass (eval-mode forward) over the val split
  let t0 = t();
  await weightStatsAsync(model.trainableWeights.map((w) => w.read()));
  const weightStatsSeconds = t() - t0;
  rows.push({
    model: name,
    status: result.status,
    epochSeconds,
    trainImagesPerSecond: trainSplit.count / trainSeconds,
    phases: { trainBatches: trainSeconds, valPenaltyWeightStats: valStatsSeconds, weightStatsAlone: weightStatsSeconds, checkpoint: checkpointSeconds },
    recordEpochSeconds: r2.epochSeconds,
  });
  model.dispose();
  const p = rows.at(-1).phases;
  console.log(
    `${name}: epoch 2 ${epochSeconds.toFixed(1)} s (${rows.at(-1).trainImagesPerSecond.toFixed(0)} train img/s): batches ${p.trainBatches.toFixed(1)} s, ` +
      `val + penalty + weight stats ${p.valPenaltyWeightStats.toFixed(2)} s (weight stats alone ${p.weightStatsAlone.toFixed(2)} s), checkpoint ${p.checkpoint.toFixed(2)} s`,
  );
}

let pytorch = null;
if (!args['no-pytorch']) {
  const out = join(data, 'pytorch.json');
  const py = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'epoch_pytorch.py'), '--data', folder, '--models', args.models, '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (py.status === 0) pytorch = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8'));
  else console.log(`epoch_pytorch.py failed (exit ${py.status}); PyTorch columns left out`);
}
for (const row of rows) {
  const p = pytorch?.results.find((x) => x.model === row.model);
  if (!p) continue;
  row.pytorch = p;
  row.ratioInMemory = p.memory.epochSeconds / row.epochSeconds;
  row.ratioJpeg = p.jpeg.epochSeconds / row.epochSeconds;
  console.log(
    `${row.model}: PyTorch in memory ${p.memory.epochSeconds.toFixed(1)} s, JPEG each epoch ${p.jpeg.epochSeconds.toFixed(1)} s; ` +
      `ratio (PyTorch / ours) ${row.ratioInMemory.toFixed(2)}x in memory, ${row.ratioJpeg.toFixed(2)}x JPEG`,
  );
}

const outPath = join(root, 'bench/results/epoch.json');
mkdirSync(dirname(outPath), { recursive: true });
const doc = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverage1mAtStart: load,
  quick: args.quick,
  classes,
  trainImages: trainSplit.count,
  valImages: valSplit.count,
  protocol: { epochsRun: 2, timedEpoch: 2, batch: 100, l1: L1, l2: L2, l2Mode: 'weight-decay', optimizer: 'sgd lr 0.001 momentum 0.9', backend: tf.getBackend() },
  results: rows,
};
writeFileSync(`${outPath}.tmp`, `${JSON.stringify(doc, null, 2)}\n`);
renameSync(`${outPath}.tmp`, outPath);
console.log(`wrote ${outPath}`);
