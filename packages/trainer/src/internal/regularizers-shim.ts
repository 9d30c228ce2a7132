// TEMPORARY minimal stand-ins for @regstudy/regularizers (penalty, step hooks, weight stats).
// They follow the contract in CONTRACTS.md and are replaced by the package's imports once the
// regularizers branch is merged. Keep this file small; do not grow it into a second package.
import * as tf from '@tensorflow/tfjs-core';

/** Which variables a penalty/decay applies to: every trainable variable or only kernels. */
export type VariableSelection = 'all' | 'kernels';

/** Filters variables: 'kernels' keeps names ending in `kernel` (conv/dense weights, not biases/BN). */
export function selectVariables(vars: readonly tf.Variable[], select: VariableSelection): tf.Variable[] {
  if (select === 'all') return [...vars];
  return vars.filter((v) => /(^|\/)(depthwise_|pointwise_)?kernel(_\d+)?$/.test(v.name));
}

/** penalty = l1 * sum|w| + l2 * sum w^2 over `vars` (a scalar; 0 when both are 0). */
export function penalty(vars: readonly tf.Variable[], opts: { l1?: number; l2?: number }): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    const l1 = opts.l1 ?? 0;
    const l2 = opts.l2 ?? 0;
    for (const v of vars) {
      if (l1 > 0) total = tf.add(total, tf.mul(l1, tf.sum(tf.abs(v))));
      if (l2 > 0) total = tf.add(total, tf.mul(l2, tf.sum(tf.square(v))));
    }
    return total;
  });
}

/** A parameter update applied after the optimizer step. */
export interface StepHook {
  name: string;
  apply(vars: tf.Variable[], ctx: { learningRate: number }): void;
}

/** Proximal L1 step: w <- sign(w) * max(|w| - lr*lambda, 0). */
export function proximalL1(lambda: number): StepHook {
  return {
    name: 'proximalL1',
    apply(vars, { learningRate }) {
      const t = learningRate * lambda;
      tf.tidy(() => {
        for (const v of vars) v.assign(tf.mul(tf.sign(v), tf.relu(tf.sub(tf.abs(v), t))));
      });
    },
  };
}

/** Decoupled weight decay: w <- w - lr*rate*w. */
export function decoupledWeightDecay(rate: number): StepHook {
  return {
    name: 'decoupledWeightDecay',
    apply(vars, { learningRate }) {
      const factor = 1 - learningRate * rate;
      tf.tidy(() => {
        for (const v of vars) v.assign(tf.mul(v, factor));
      });
    },
  };
}

/** Statistics of one variable. */
export interface VariableStats {
  name: string;
  count: number;
  /** sum |w| */
  l1: number;
  /** sqrt(sum w^2) */
  l2: number;
  maxAbs: number;
  /** fraction of entries with |w| < eps */
  fractionNearZero: number;
}

/** Per-variable statistics plus totals over all of them. */
export interface WeightStats {
  variables: VariableStats[];
  total: Omit<VariableStats, 'name'>;
}

/** Computes {@link WeightStats} (one device read per variable). */
export function weightStats(vars: readonly tf.Variable[], eps = 1e-6): WeightStats {
  const variables: VariableStats[] = [];
  let count = 0;
  let l1 = 0;
  let sq = 0;
  let maxAbs = 0;
  let near = 0;
  for (const v of vars) {
    const values = tf.tidy(() => {
      const a = tf.abs(v);
      return tf.stack([tf.sum(a), tf.sum(tf.square(v)), tf.max(a), tf.sum(tf.cast(tf.less(a, eps), 'float32'))]);
    });
    const [s1, s2, mx, nz] = values.dataSync() as Float32Array;
    values.dispose();
    variables.push({ name: v.name, count: v.size, l1: s1!, l2: Math.sqrt(s2!), maxAbs: mx!, fractionNearZero: nz! / v.size });
    count += v.size;
    l1 += s1!;
    sq += s2!;
    maxAbs = Math.max(maxAbs, mx!);
    near += nz!;
  }
  return { variables, total: { count, l1, l2: Math.sqrt(sq), maxAbs, fractionNearZero: count ? near / count : 0 } };
}
