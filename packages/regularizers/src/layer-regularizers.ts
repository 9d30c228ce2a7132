import * as tf from '@tensorflow/tfjs-core';
import { regularizers } from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { elasticNetValue } from './norms';
import { lambdaSchema, parseOptions, unitIntervalSchema } from './validation';

/** tfjs-layers' `Regularizer` type (its base class is not exported from the package root). */
export type Regularizer = ReturnType<typeof regularizers.l1l2>;

/**
 * The `Regularizer` base class of the tfjs-layers instance that is actually loaded. Layers test
 * `identifier instanceof Regularizer`, so subclasses must extend this very class, not a copy
 * deep-imported from another build of tfjs-layers.
 */
const RegularizerBase = Object.getPrototypeOf(regularizers.l1l2({ l1: 0, l2: 0 }).constructor) as abstract new () => Regularizer;

/** Prefix under which the classes are registered with `tf.serialization.registerClass`. */
export const SERIALIZATION_PACKAGE = 'regstudy';

/**
 * Layer regularizer `lambda * sum_i |w_i|`, gradient `lambda * sign(w)` (0 at `w = 0`).
 * Serialisable: saved models store `{ className: 'regstudy.L1', config: { l1 } }`.
 */
export class L1Regularizer extends RegularizerBase {
  /** Registered class name (also what `model.toJSON()` stores). */
  static readonly className = 'regstudy.L1';
  readonly l1: number;

  constructor(args: { l1: number }) {
    super();
    this.l1 = parseOptions(z.object({ l1: lambdaSchema }), args, 'l1()').l1;
  }

  /** `l1 * sum|x|` as a float32 scalar. */
  apply(x: tf.Tensor): tf.Scalar {
    return elasticNetValue(x, this.l1, 0);
  }

  getConfig(): tf.serialization.ConfigDict {
    return { l1: this.l1 };
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls({ l1: config['l1'] });
  }
}

/**
 * Layer regularizer `lambda * sum_i w_i^2` (Keras convention: no 1/2 factor), gradient
 * `2 * lambda * w`. Serialisable as `{ className: 'regstudy.L2', config: { l2 } }`.
 */
export class L2Regularizer extends RegularizerBase {
  static readonly className = 'regstudy.L2';
  readonly l2: number;

  constructor(args: { l2: number }) {
    super();
    this.l2 = parseOptions(z.object({ l2: lambdaSchema }), args, 'l2()').l2;
  }

  /** `l2 * sum x^2` as a float32 scalar. */
  apply(x: tf.Tensor): tf.Scalar {
    return elasticNetValue(x, 0, this.l2);
  }

  getConfig(): tf.serialization.ConfigDict {
    return { l2: this.l2 };
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls({ l2: config['l2'] });
  }
}

/** Elastic-net strengths given directly: penalty `l1 * sum|w| + l2 * sum w^2`. */
export interface ElasticNetL1L2 {
  /** L1 coefficient, `>= 0` (default 0). */
  l1?: number;
  /** L2 coefficient, `>= 0` (default 0), no 1/2 factor. */
  l2?: number;
}

/**
 * Elastic-net strengths in scikit-learn's parametrisation (`ElasticNet(alpha, l1_ratio)`), whose
 * penalty is `alpha * l1Ratio * ||w||_1 + 0.5 * alpha * (1 - l1Ratio) * ||w||_2^2`, i.e.
 * `l1 = alpha * l1Ratio` and `l2 = 0.5 * alpha * (1 - l1Ratio)`.
 * (scikit-learn also divides its data term by `2 * n_samples`; only the penalty is mapped here.)
 */
export interface ElasticNetAlphaRatio {
  /** Overall strength, `>= 0`. */
  alpha: number;
  /** Share of L1 in [0, 1]: 1 is pure L1 (lasso), 0 pure L2 (ridge). */
  l1Ratio: number;
}

export type ElasticNetOptions = ElasticNetL1L2 | ElasticNetAlphaRatio;

const l1l2Schema = z.object({ l1: lambdaSchema.default(0), l2: lambdaSchema.default(0) }).strict();
const alphaRatioSchema = z.object({ alpha: lambdaSchema, l1Ratio: unitIntervalSchema }).strict();

/**
 * Resolves either parametrisation to `{ l1, l2 }`.
 * `{ alpha, l1Ratio }` maps to `l1 = alpha * l1Ratio`, `l2 = 0.5 * alpha * (1 - l1Ratio)`.
 *
 * @throws OptionsError naming the option (`l1`, `l2`, `alpha`, `l1Ratio`) when it is negative, NaN,
 *   infinite, out of [0, 1] (`l1Ratio`), or when both parametrisations are mixed.
 */
export function resolveElasticNet(options: ElasticNetOptions, where = 'elasticNet()'): { l1: number; l2: number } {
  const isObject = typeof options === 'object' && options !== null;
  if (isObject && ('alpha' in options || 'l1Ratio' in options)) {
    const { alpha, l1Ratio } = parseOptions(alphaRatioSchema, options, where);
    return { l1: alpha * l1Ratio, l2: 0.5 * alpha * (1 - l1Ratio) };
  }
  return parseOptions(l1l2Schema, options, where);
}

/**
 * Layer regularizer `l1 * sum|w| + l2 * sum w^2`. Serialisable as
 * `{ className: 'regstudy.ElasticNet', config: { l1, l2 } }` (always the resolved `l1`, `l2`).
 */
export class ElasticNetRegularizer extends RegularizerBase {
  static readonly className = 'regstudy.ElasticNet';
  readonly l1: number;
  readonly l2: number;

  constructor(args: ElasticNetOptions) {
    super();
    const { l1, l2 } = resolveElasticNet(args);
    this.l1 = l1;
    this.l2 = l2;
  }

  /** `l1 * sum|x| + l2 * sum x^2` as a float32 scalar. */
  apply(x: tf.Tensor): tf.Scalar {
    return elasticNetValue(x, this.l1, this.l2);
  }

  getConfig(): tf.serialization.ConfigDict {
    return { l1: this.l1, l2: this.l2 };
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls({ l1: config['l1'], l2: config['l2'] });
  }
}

/**
 * L1 layer regularizer: penalty `lambda * sum_i |w_i|`, subgradient 0 at `w = 0`.
 * Use as `kernelRegularizer` / `biasRegularizer` of any tfjs-layers layer.
 *
 * @param lambda - coefficient, finite and `>= 0`.
 * @throws OptionsError naming `l1` when `lambda` is negative, NaN or infinite.
 */
export function l1(lambda: number): L1Regularizer {
  return new L1Regularizer({ l1: lambda });
}

/**
 * L2 layer regularizer: penalty `lambda * sum_i w_i^2` (Keras convention, no 1/2), gradient
 * `2 lambda w`. PyTorch's `weight_decay = wd` corresponds to `l2(wd / 2)`.
 *
 * @param lambda - coefficient, finite and `>= 0`.
 * @throws OptionsError naming `l2` when `lambda` is negative, NaN or infinite.
 */
export function l2(lambda: number): L2Regularizer {
  return new L2Regularizer({ l2: lambda });
}

/**
 * Elastic-net layer regularizer: penalty `l1 * sum|w| + l2 * sum w^2`.
 * Accepts `{ l1, l2 }` or scikit-learn's `{ alpha, l1Ratio }`
 * (`l1 = alpha * l1Ratio`, `l2 = 0.5 * alpha * (1 - l1Ratio)`).
 *
 * @throws OptionsError naming the option when a coefficient is negative/NaN or `l1Ratio` is outside [0, 1].
 */
export function elasticNet(options: ElasticNetOptions): ElasticNetRegularizer {
  return new ElasticNetRegularizer(options);
}

/**
 * Registers the three classes with `tf.serialization.registerClass` (idempotent). Called when the
 * package is imported, so `tf.loadLayersModel` finds them without any extra step.
 */
export function registerRegularizers(): void {
  for (const cls of [L1Regularizer, L2Regularizer, ElasticNetRegularizer]) {
    tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>, SERIALIZATION_PACKAGE);
  }
}

registerRegularizers();
