import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { applySelector, selectorSchema, type VariableSelector } from './select';
import { lambdaSchema, parseOptions } from './validation';
import { resolveVariables, type VariableSource } from './variables';

/**
 * PyTorch-style COUPLED weight decay for custom loops (what `torch.optim.SGD(weight_decay=wd)`
 * does, and how the paper's code applied L2): for every selected variable `w` that has a
 * gradient in `grads`,
 *
 *     g'_w = g_w + wd * w        (== gradient of loss + 0.5 * wd * sum w^2)
 *
 * Variables without an entry in `grads` are left alone (PyTorch skips parameters whose grad is
 * None). The decay then flows through the optimizer (momentum, Adam moments), unlike
 * {@link decoupledWeightDecay}.
 *
 * Returns a NEW map: decayed entries are new tensors, other entries are the input tensors
 * themselves. Dispose both maps when done (`tf.dispose` ignores tensors already disposed).
 *
 * @param grads - gradients keyed by variable name, as returned by `tf.variableGrads(f).grads`.
 * @param source - the variables (or model) the gradients belong to.
 * @param wd - decay coefficient, `>= 0`; 0 returns a shallow copy of `grads`.
 * @param select - which variables decay (default `'all'`, biases and BN gamma/beta included, as PyTorch).
 * @throws OptionsError naming `wd` or `select` when invalid.
 */
export function addCoupledWeightDecay(
  grads: tf.NamedTensorMap,
  source: VariableSource,
  wd: number,
  select: VariableSelector = 'all',
): tf.NamedTensorMap {
  const opts = parseOptions(
    z.object({ wd: lambdaSchema, select: selectorSchema }),
    { wd, select },
    'addCoupledWeightDecay()',
  );
  const out: tf.NamedTensorMap = { ...grads };
  if (opts.wd === 0) return out;
  const vars = applySelector(resolveVariables(source, 'addCoupledWeightDecay()'), opts.select);
  for (const { name, variable } of vars) {
    const g = grads[name];
    if (g === undefined) continue;
    out[name] = tf.tidy(() => tf.add(g, tf.mul(tf.scalar(opts.wd), variable)));
  }
  return out;
}

/** Alias of {@link addCoupledWeightDecay} (the name used in the workspace contracts). */
export const coupledWeightDecay = addCoupledWeightDecay;
