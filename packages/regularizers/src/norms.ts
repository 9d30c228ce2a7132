import * as tf from '@tensorflow/tfjs-core';

/**
 * `sum_i |x_i|` as a scalar, with the subgradient `sign(x)` (so exactly 0 at `x = 0`).
 *
 * Computed as `sum(x * sign(x))`: tfjs gives `sign` a zero gradient, so
 * `d/dx = sign(x) + x * 0 = sign(x)`. (`tf.abs` has gradient `-1` at 0 in tfjs 4.x, and so does
 * `tf.regularizers.l1`; that biases weights that are exactly 0.)
 */
export function sumAbs(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const xf = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    return tf.sum(tf.mul(xf, tf.sign(xf)));
  });
}

/** `sum_i x_i^2` as a scalar (gradient `2 x`). */
export function sumSquares(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const xf = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    return tf.sum(tf.square(xf));
  });
}

/**
 * Elastic-net value of one tensor: `l1 * sum|x| + l2 * sum x^2` (sum, no 1/2 factor).
 * Terms whose coefficient is 0 are not computed. Returns a float32 scalar.
 */
export function elasticNetValue(x: tf.Tensor, l1: number, l2: number): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    if (l1 !== 0) total = tf.add(total, tf.mul(tf.scalar(l1), sumAbs(x)));
    if (l2 !== 0) total = tf.add(total, tf.mul(tf.scalar(l2), sumSquares(x)));
    return total;
  });
}
