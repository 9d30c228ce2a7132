// FALLBACK for @regstudy/regularizers weightStats: totals over trainable weights.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { WeightTotals } from '../training/types';

/** l1 = sum|w|, l2 = sqrt(sum w^2), fractionNearZero = #{|w| < eps} / count. */
export function fallbackWeightTotals(model: tfl.LayersModel, eps = 1e-3): WeightTotals {
  let l1 = 0;
  let sq = 0;
  let near = 0;
  let count = 0;
  for (const w of model.trainableWeights) {
    const v = w.read();
    const [a, b, c] = tf.tidy(() => [tf.sum(tf.abs(v)), tf.sum(tf.square(v)), tf.sum(tf.cast(tf.less(tf.abs(v), eps), 'float32'))]);
    l1 += a!.dataSync()[0]!;
    sq += b!.dataSync()[0]!;
    near += c!.dataSync()[0]!;
    tf.dispose([a!, b!, c!]);
    count += v.size;
  }
  return { l1, l2: Math.sqrt(sq), fractionNearZero: count ? near / count : 0, count };
}
