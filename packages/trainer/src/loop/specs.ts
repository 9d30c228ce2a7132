import { z } from 'zod';

/** A finite number >= 0 (zod 4's `z.number()` rejects NaN and +/-Infinity). */
const nonNegative = () => z.number().min(0);
/** A finite number > 0. */
const positive = () => z.number().gt(0);

/**
 * SGD with momentum (PyTorch semantics, dampening 0): `v <- m*v + g; w <- w - lr*v`.
 * Defaults are the paper's: lr 0.001, momentum 0.9.
 */
export const sgdSpecSchema = z.strictObject({
  kind: z.literal('sgd'),
  learningRate: positive().default(0.001),
  momentum: nonNegative().max(1).default(0.9),
});

/** Adam (Kingma & Ba): defaults lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-8. */
export const adamSpecSchema = z.strictObject({
  kind: z.literal('adam'),
  learningRate: positive().default(0.001),
  beta1: nonNegative().lt(1).default(0.9),
  beta2: nonNegative().lt(1).default(0.999),
  epsilon: positive().default(1e-8),
});

/** AdamW: Adam plus decoupled decay `w <- w - lr*weightDecay*w` after each step (default 0.01). */
export const adamwSpecSchema = adamSpecSchema.extend({
  kind: z.literal('adamw'),
  weightDecay: nonNegative().default(0.01),
});

export const optimizerSpecSchema = z.discriminatedUnion('kind', [sgdSpecSchema, adamSpecSchema, adamwSpecSchema]);

/** Optimizer choice, as given by the caller (defaults filled in on validation). */
export type OptimizerSpec = z.input<typeof optimizerSpecSchema>;
/** Optimizer choice after validation, every field present. */
export type ResolvedOptimizerSpec = z.output<typeof optimizerSpecSchema>;

/**
 * Regularization of one run.
 * - `l1`: loss term `l1 * sum|w|` (the paper's code: over all parameters; counted in the logged
 *   train and val loss as `trainPenalty`).
 * - `l2` with `l2Mode: 'weight-decay'` (default, the paper's code): PyTorch coupled decay
 *   `grad += l2 * w` (the gradient of `0.5*l2*sum w^2`), NOT part of the logged loss.
 * - `l2` with `l2Mode: 'penalty'` (the paper's text): loss term `l2 * sum w^2`.
 * - `select`: `'all'` trainable variables (default) or only `'kernels'` (conv/dense weights).
 * - `proximalL1`: after each step `w <- sign(w)*max(|w| - lr*proximalL1, 0)`.
 * - `decoupledDecay`: after each step `w <- w - lr*decoupledDecay*w`.
 */
export const regularizationSpecSchema = z.strictObject({
  l1: nonNegative().default(0),
  l2: nonNegative().default(0),
  l2Mode: z.enum(['weight-decay', 'penalty']).default('weight-decay'),
  select: z.enum(['all', 'kernels']).default('all'),
  proximalL1: nonNegative().default(0),
  decoupledDecay: nonNegative().default(0),
});

/** Regularization as given by the caller. */
export type RegularizationSpec = z.input<typeof regularizationSpecSchema>;
/** Regularization after validation, every field present. */
export type ResolvedRegularizationSpec = z.output<typeof regularizationSpecSchema>;
