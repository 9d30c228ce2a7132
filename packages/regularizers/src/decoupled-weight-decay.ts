import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { applySelector, selectorSchema, type VariableSelector } from './select';
import { parseStepContext } from './step-context';
import type { StepHook } from './step-hook';
import { lambdaSchema, parseOptions } from './validation';
import { resolveVariables } from './variables';

/** Options of {@link decoupledWeightDecay}. */
export interface DecoupledWeightDecayOptions {
  /** Decay rate `>= 0` (PyTorch AdamW's `weight_decay`). */
  rate: number;
  /** Which trainable variables decay (default `'all'`; `'kernels'` is the usual AdamW practice). */
  select?: VariableSelector;
}

const schema = z.object({ rate: lambdaSchema, select: selectorSchema.default('all') }).strict();

/**
 * Decoupled weight decay (AdamW, Loshchilov & Hutter 2019, "Decoupled Weight Decay
 * Regularization"), run after each optimizer step:
 *
 *     w <- w - lr * rate * w  =  (1 - lr * rate) * w
 *
 * The decay bypasses the gradient, so adaptive optimizers do not rescale it (PyTorch's `AdamW`
 * applies the same factor, just before its Adam update). With plain SGD it equals coupled
 * decay `grad += rate * w`; with momentum or Adam it does not.
 *
 * @throws OptionsError naming `rate` or `select` when invalid; `ctx.learningRate` at apply time.
 */
export function decoupledWeightDecay(options: DecoupledWeightDecayOptions): StepHook {
  const { rate, select } = parseOptions(schema, options, 'decoupledWeightDecay()');
  return {
    name: `decoupledWeightDecay(rate=${rate})`,
    apply(vars, ctx) {
      const { learningRate } = parseStepContext(ctx, 'decoupledWeightDecay().apply()');
      const factor = 1 - learningRate * rate;
      if (factor === 1) return;
      for (const { variable } of applySelector(resolveVariables(vars, 'decoupledWeightDecay().apply()'), select)) {
        const next = tf.tidy(() => tf.mul(variable, tf.scalar(factor, variable.dtype)));
        variable.assign(next);
        next.dispose();
      }
    },
  };
}
