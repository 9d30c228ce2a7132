// Runs one training run inside the worker: backend, data, model, loop, result files.
// With ./backend, the only module that uses the workspace packages (their public exports).
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@regstudy/architectures';
import { loadPreparedCache } from '@regstudy/tinyimagenet';
import {
  splitBatchSource,
  train,
  type EpochRecord,
  type ResolvedOptimizerSpec,
  type ResolvedRegularizationSpec,
  type TrainEvent,
  type TrainResult,
} from '@regstudy/trainer';
import type { Settings } from '../settings';
import { generateSyntheticSplit } from '../data/synthetic';
import type { ImageSplit } from '../data/split';
import { resultFiles } from '../results/files';
import { selectBackend } from './backend';
import type { FromWorker, WeightTotals } from './types';
import { yieldingSource } from './yielding';

export interface EngineOptions {
  settings: Settings;
  wasmBaseUrl: string;
  signal: AbortSignal;
  post: (m: FromWorker) => void;
}

/** Where each part comes from (shown on the page). */
export const engineParts: Record<string, string> = {
  model: '@regstudy/architectures createModel',
  train: '@regstudy/trainer train',
  weightStats: '@regstudy/trainer (EpochRecord.weightStats)',
  data: 'page synthetic generator / @regstudy/tinyimagenet loadPreparedCache',
  resultFiles: '@regstudy/trainer runIdOf, historyToCsv',
  backend: '@regstudy/tfjs-training-kernels/browser useBrowserBackend (+ registerWasmTrainingKernels)',
};

async function loadData(s: Settings, signal: AbortSignal): Promise<{ train: ImageSplit; val: ImageSplit }> {
  const d = s.data;
  if (d.kind === 'synthetic') {
    const common = { classes: d.classes, imageSize: d.imageSize, seed: s.seed };
    return {
      train: generateSyntheticSplit({ ...common, perClass: d.trainPerClass, split: 'train' }),
      val: generateSyntheticSplit({ ...common, perClass: d.valPerClass, split: 'val' }),
    };
  }
  const base = new URL(d.url, self.location.href).href;
  const [train, val] = await Promise.all([
    loadPreparedCache(base, d.trainName, { signal }),
    loadPreparedCache(base, d.valName, { signal }),
  ]);
  const classes = (x: ImageSplit['classes']): string => x.map((c) => c.wnid).join(',');
  if (classes(train.classes) !== classes(val.classes)) {
    throw new Error(`data: the caches "${d.trainName}" and "${d.valName}" have different class lists; prepare both with the same classes`);
  }
  return { train: { ...train, classes: [...train.classes] }, val: { ...val, classes: [...val.classes] } };
}

/** Totals of the trainer's weight statistics for the charts, or null when the record has none. */
export function weightTotals(record: EpochRecord): WeightTotals | null {
  const ws = record.weightStats;
  if (!ws) return null;
  const eps = 'eps' in ws && typeof ws.eps === 'number' ? ws.eps : Number.NaN;
  return { l1: ws.total.l1, l2: ws.total.l2, fractionNearZero: ws.total.fractionNearZero, count: ws.total.count, eps };
}

/** Trains as the settings say, posting progress; resolves when the run ends (any status). */
export async function runTraining(o: EngineOptions): Promise<void> {
  const { settings: s, post } = o;
  const t0 = performance.now();
  post({ type: 'engine', parts: engineParts });
  post({ type: 'status', text: 'initialising backend' });
  const pick = await selectBackend(s.backend, o.wasmBaseUrl);
  post({ type: 'backend', ...pick });

  post({ type: 'status', text: 'preparing data' });
  const data = await loadData(s, o.signal);
  const numClasses = data.train.classes.length;
  post({ type: 'data', train: data.train.count, val: data.val.count, classes: numClasses, imageSize: data.train.imageSize });

  const tensorsBefore = tf.memory().numTensors;
  const model = createModel(s.model, { numClasses, inputShape: [data.train.imageSize, data.train.imageSize, 3], seed: s.seed });
  post({ type: 'model', name: s.model, params: model.countParams() });
  post({ type: 'status', text: 'training' });
  const regularization: ResolvedRegularizationSpec = {
    l1: s.l1Mode === 'penalty' ? s.l1 : 0,
    proximalL1: s.l1Mode === 'proximal' ? s.l1 : 0,
    l2: s.l2,
    l2Mode: s.l2Mode,
    select: 'all',
    decoupledDecay: 0,
  };
  const optimizer: ResolvedOptimizerSpec = { kind: 'sgd', learningRate: s.learningRate, momentum: 0.9 };
  let result: TrainResult;
  try {
    result = await train({
      model,
      train: yieldingSource(splitBatchSource(data.train)),
      val: splitBatchSource(data.val),
      epochs: s.epochs,
      batchSize: s.batchSize,
      optimizer,
      regularization,
      seed: s.seed,
      weightStats: true,
      signal: o.signal,
      onEvent: (e: TrainEvent) => {
        if (e.type === 'batch') post({ type: 'batch', epoch: e.epoch, batch: e.batch, batches: e.batches, loss: e.loss, accuracy: e.accuracy });
        else if (e.type === 'epoch') post({ type: 'epoch', record: e.record, weights: weightTotals(e.record) });
      },
    });
  } finally {
    model.dispose();
  }
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  const files = resultFiles(
    {
      model: s.model,
      regularization,
      optimizer,
      seed: s.seed,
      epochs: s.epochs,
      batchSize: s.batchSize,
      numClasses,
      trainCount: data.train.count,
      valCount: data.val.count,
      browser: { backend: pick.backend, requestedBackend: s.backend, threads: pick.threads, data: s.data, userAgent: navigator.userAgent },
    },
    result,
  );
  post({ type: 'done', status: result.status, history: result.history, files, seconds: (performance.now() - t0) / 1000, leakedTensors });
}
