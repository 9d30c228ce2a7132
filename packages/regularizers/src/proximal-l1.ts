import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { applySelector, selectorSchema, type VariableSelector } from './select';
import { parseStepContext } from './step-context';
import type { StepHook } from './step-hook';
import { lambdaSchema, parseOptions } from './validation';
import { resolveVariables } from './variables';

/** Options of {@link proximalL1}. */
export interface ProximalL1Options {
  /** L1 coefficient `lambda >= 0` of the objective `loss + lambda * sum|w|`. */
  lambda: number;
  /** Which trainable variables are shrunk (default `'all'`). */
  select?: VariableSelector;
}

const schema = z.object({ lambda: lambdaSchema, select: selectorSchema.default('all') }).strict();

/**
 * Proximal L1 step (soft-thresholding), run after each optimizer step:
 *
 *     w <- sign(w) * max(|w| - lr * lambda, 0)
 *
 * This is the proximal operator of `lr * lambda * ||w||_1` (ISTA / proximal gradient). Unlike
 * a subgradient L1 term in the loss it sets small weights to EXACT zeros, and it never increases
 * `|w|` nor flips a sign. Do not also add `lambda * sum|w|` to the loss for the same variables.
 * With momentum/Adam it is the common "proximal after the step" heuristic, not an exact prox.
 *
 * @throws OptionsError naming `lambda` or `select` when invalid; `ctx.learningRate` at apply time.
 */
export function proximalL1(options: ProximalL1Options): StepHook {
  const { lambda, select } = parseOptions(schema, options, 'proximalL1()');
  return {
    name: `proximalL1(lambda=${lambda})`,
    apply(vars, ctx) {
      const { learningRate } = parseStepContext(ctx, 'proximalL1().apply()');
      const threshold = learningRate * lambda;
      if (threshold === 0) return;
      for (const { variable } of applySelector(resolveVariables(vars, 'proximalL1().apply()'), select)) {
        const next = tf.tidy(() =>
          tf.mul(tf.sign(variable), tf.relu(tf.sub(tf.abs(variable), tf.scalar(threshold, variable.dtype)))),
        );
        variable.assign(next);
        next.dispose();
      }
    },
  };
}
