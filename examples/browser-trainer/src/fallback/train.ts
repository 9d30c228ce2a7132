// FALLBACK for @regstudy/trainer train(): SGD with momentum, loss += l1*sum|w| + l2*sum w^2.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mulberry32 } from '../data/random';
import type { ImageSplit } from '../data/split';
import type { EpochRecord, RunStatus } from '../training/types';

export type FallbackEvent =
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; accuracy: number }
  | { type: 'epoch'; record: EpochRecord };

export interface FallbackTrainOptions {
  model: tfl.LayersModel;
  train: ImageSplit;
  val: ImageSplit;
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  l1: number;
  l2: number;
  seed: number;
  signal?: AbortSignal;
  onEvent?: (e: FallbackEvent) => void | Promise<void>;
}

function batchTensors(split: ImageSplit, idx: ArrayLike<number>): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const s = split.imageSize;
  const px = s * s * 3;
  const buf = new Float32Array(idx.length * px);
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    const src = split.images.subarray(j * px, (j + 1) * px);
    for (let k = 0; k < px; k++) buf[i * px + k] = src[k]! / 255;
    labels[i] = split.labels[j]!;
  }
  return { xs: tf.tensor4d(buf, [idx.length, s, s, 3]), ys: tf.tensor1d(labels, 'int32') };
}

function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const r = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Runs the epochs; awaits onEvent and yields to the event loop between batches. */
export async function fallbackTrain(o: FallbackTrainOptions): Promise<{ status: RunStatus; history: EpochRecord[] }> {
  const optimizer = tf.train.momentum(o.learningRate, o.momentum);
  const numClasses = o.train.classes.length;
  const weights = o.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: EpochRecord[] = [];
  let status: RunStatus = 'completed';
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      const order = permutation(o.train.count, o.seed * 1000 + epoch);
      const batches = Math.ceil(o.train.count / o.batchSize);
      let lossSum = 0;
      let penSum = 0;
      let correct = 0;
      for (let b = 0; b < batches; b++) {
        if (o.signal?.aborted) {
          status = 'aborted';
          break;
        }
        const idx = order.subarray(b * o.batchSize, Math.min((b + 1) * o.batchSize, o.train.count));
        const { xs, ys } = batchTensors(o.train, idx);
        let dataLoss = 0;
        let pen = 0;
        let hits = 0;
        tf.tidy(() => {
          const oneHot = tf.oneHot(ys, numClasses);
          const cost = optimizer.minimize(
            () => {
              const logits = o.model.apply(xs, { training: true }) as tf.Tensor2D;
              const ce = tf.losses.softmaxCrossEntropy(oneHot, logits);
              let penalty: tf.Scalar = tf.scalar(0);
              for (const w of weights) {
                if (o.l1 > 0) penalty = tf.add(penalty, tf.mul(o.l1, tf.sum(tf.abs(w))));
                if (o.l2 > 0) penalty = tf.add(penalty, tf.mul(o.l2, tf.sum(tf.square(w))));
              }
              const [d, p, h] = [ce.dataSync()[0]!, penalty.dataSync()[0]!, 0];
              dataLoss = d;
              pen = p;
              hits = h + tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), ys), 'float32')).dataSync()[0]!;
              return tf.add(ce, penalty) as tf.Scalar;
            },
            false,
            weights,
          );
          cost?.dispose();
        });
        tf.dispose([xs, ys]);
        if (!Number.isFinite(dataLoss)) {
          status = 'diverged';
          break;
        }
        lossSum += dataLoss * idx.length;
        penSum += pen * idx.length;
        correct += hits;
        await o.onEvent?.({ type: 'batch', epoch, batch: b + 1, batches, loss: dataLoss, accuracy: hits / idx.length });
        await new Promise((r) => setTimeout(r, 0));
      }
      if (status !== 'completed') break;
      const val = evaluate(o.model, o.val, o.batchSize, numClasses);
      const seconds = (performance.now() - t0) / 1000;
      const n = o.train.count;
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / n,
        trainPenalty: penSum / n,
        trainTotalLoss: (lossSum + penSum) / n,
        trainAccuracy: correct / n,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        learningRate: o.learningRate,
        epochSeconds: seconds,
        imagesPerSecond: n / seconds,
      };
      history.push(record);
      await o.onEvent?.({ type: 'epoch', record });
    }
  } finally {
    optimizer.dispose();
  }
  return { status, history };
}

function evaluate(model: tfl.LayersModel, split: ImageSplit, batchSize: number, numClasses: number): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, split.count - start) }, (_, i) => start + i);
    const { xs, ys } = batchTensors(split, idx);
    const [l, c] = tf.tidy(() => {
      const logits = model.apply(xs, { training: false }) as tf.Tensor2D;
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(ys, numClasses), logits);
      return [ce.dataSync()[0]!, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), ys), 'float32')).dataSync()[0]!];
    });
    tf.dispose([xs, ys]);
    loss += l * idx.length;
    correct += c;
  }
  return { loss: loss / split.count, accuracy: correct / split.count };
}
