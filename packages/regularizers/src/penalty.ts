import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { elasticNetValue } from './norms';
import { applySelector, selectorSchema, type VariableSelector } from './select';
import { lambdaSchema, parseOptions } from './validation';
import { resolveVariables, type VariableSource } from './variables';

/** Options of {@link penalty}. */
export interface PenaltyOptions {
  /** L1 coefficient (`>= 0`, default 0). */
  l1?: number;
  /** L2 coefficient (`>= 0`, default 0), multiplies `sum w^2` with no 1/2 factor. */
  l2?: number;
  /** Which trainable variables are penalised (default `'all'`, as in the paper's code). */
  select?: VariableSelector;
}

const penaltySchema = z
  .object({ l1: lambdaSchema.default(0), l2: lambdaSchema.default(0), select: selectorSchema.default('all') })
  .strict();

/**
 * Elastic-net penalty over a model's (or a variable list's) trainable variables:
 *
 *     penalty = l1 * sum_{w in S} |w| + l2 * sum_{w in S} w^2
 *
 * where `S` is chosen by `select`. Conventions: a plain SUM over all entries (not a mean), and NO
 * 1/2 factor on the L2 term (Keras' convention; PyTorch's `weight_decay = wd` equals `l2 = wd / 2`,
 * see {@link pytorchWeightDecay}). The L1 subgradient is `sign(w)`, exactly 0 at `w = 0`.
 *
 * Differentiable: call it inside the loss function given to `optimizer.minimize` or
 * `tf.variableGrads`. Returns a float32 scalar (0 when both coefficients are 0, or nothing is
 * selected) that the caller owns.
 *
 * @param source - `tf.Variable[]` (non-trainable ones are skipped) or a model/layer (its `trainableWeights`).
 * @throws OptionsError naming `l1`, `l2` or `select` when an option is invalid.
 */
export function penalty(source: VariableSource, options: PenaltyOptions = {}): tf.Scalar {
  const { l1, l2, select } = parseOptions(penaltySchema, options, 'penalty()');
  const vars = applySelector(resolveVariables(source, 'penalty()'), select);
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    if (l1 === 0 && l2 === 0) return total;
    for (const { variable } of vars) total = tf.add(total, elasticNetValue(variable, l1, l2));
    return total;
  });
}

/**
 * The loss-term coefficient equivalent to PyTorch's `weight_decay = wd` for plain SGD:
 * PyTorch adds `wd * w` to each gradient, which is the gradient of `0.5 * wd * sum w^2`, so in
 * this package's convention (`l2 * sum w^2`) it is `l2 = wd / 2`.
 *
 * @example penalty(model, { ...pytorchWeightDecay(1e-4), select: 'all' })
 * @throws OptionsError naming `wd` when it is negative, NaN or infinite.
 */
export function pytorchWeightDecay(wd: number): { l2: number } {
  const v = parseOptions(z.object({ wd: lambdaSchema }), { wd }, 'pytorchWeightDecay()').wd;
  return { l2: v / 2 };
}
