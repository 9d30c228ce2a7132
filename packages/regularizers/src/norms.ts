import * as tf from '@tensorflow/tfjs-core';

/**
 * `sum_i |x_i|` with the gradient `dy * sign(x)`: `tf.abs` itself has gradient -1 at 0 in tfjs 4.x
 * (and so does `tf.regularizers.l1`), which would push weights that are exactly 0.
 */
const sumAbsSignGrad = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: tf.sum(tf.abs(input)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sign(saved[0] as tf.Tensor)),
  };
});

/**
 * `sum_i |x_i|` as a float32 scalar, with the subgradient `sign(x)` (exactly 0 at `x = 0`, like
 * PyTorch's `abs`), unlike `tf.abs` whose gradient is -1 at 0 in tfjs 4.x.
 */
export function sumAbs(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => sumAbsSignGrad(x.dtype === 'float32' ? x : tf.cast(x, 'float32')) as tf.Scalar);
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
