// Runs one training run inside the worker: backend, data, model, loop, result files.
// This is the ONLY module that touches the workspace packages (through their public exports);
// pieces they do not export yet come from ../fallback and are reported as such.
import * as tf from '@tensorflow/tfjs-core';
import type { Settings } from '../settings';
import { generateSyntheticSplit } from '../data/synthetic';
import type { ImageSplit } from '../data/split';
import { createFallbackModel } from '../fallback/models';
import { fallbackTrain } from '../fallback/train';
import { fallbackWeightTotals } from '../fallback/weightStats';
import { fallbackResultFiles, fallbackRunId } from '../fallback/resultFiles';
import { selectBackend } from './backend';
import type { FromWorker } from './types';

export interface EngineOptions {
  settings: Settings;
  wasmBaseUrl: string;
  signal: AbortSignal;
  post: (m: FromWorker) => void;
}

/** Which implementation each part uses (shown on the page). */
export const engineParts: Record<string, 'package' | 'fallback'> = {
  data: 'fallback',
  model: 'fallback',
  train: 'fallback',
  weightStats: 'fallback',
  resultFiles: 'fallback',
  wasmKernels: 'fallback',
};

async function loadData(s: Settings): Promise<{ train: ImageSplit; val: ImageSplit }> {
  const d = s.data;
  if (d.kind === 'synthetic') {
    const common = { classes: d.classes, imageSize: d.imageSize, seed: s.seed };
    return {
      train: generateSyntheticSplit({ ...common, perClass: d.trainPerClass, split: 'train' }),
      val: generateSyntheticSplit({ ...common, perClass: d.valPerClass, split: 'val' }),
    };
  }
  throw new Error(`data: loading a prepared cache (${d.url}) needs @regstudy/tinyimagenet's browser entry, not available yet`);
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
  const { train, val } = await loadData(s);
  post({ type: 'data', train: train.count, val: val.count, classes: train.classes.length, imageSize: train.imageSize });

  const model = createFallbackModel(s.model, {
    numClasses: train.classes.length,
    inputShape: [train.imageSize, train.imageSize, 3],
    seed: s.seed,
  });
  post({ type: 'model', name: s.model, params: model.countParams() });
  const tensorsBefore = tf.memory().numTensors;
  post({ type: 'status', text: 'training' });
  try {
    const result = await fallbackTrain({
      model,
      train,
      val,
      epochs: s.epochs,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      momentum: 0.9,
      l1: s.l1,
      l2: s.l2,
      seed: s.seed,
      signal: o.signal,
      onEvent: (e) => {
        if (e.type === 'batch') post(e);
        else post({ type: 'epoch', record: e.record, weights: fallbackWeightTotals(model) });
      },
    });
    const runId = fallbackRunId(s.model, s.l1, s.l2, s.seed);
    const files = fallbackResultFiles({
      runId,
      config: { ...s, runId, source: 'browser-trainer', requestedBackend: s.backend, backend: pick.backend },
      history: result.history,
      status: result.status,
    });
    post({ type: 'done', status: result.status, history: result.history, files, seconds: (performance.now() - t0) / 1000 });
  } finally {
    model.dispose();
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked > 0) console.warn(`browser-trainer: ${leaked} tensors left after the run`);
  }
}
