import type { initializers, regularizers } from '@tensorflow/tfjs-layers';
import { OptionsError, describeValue, expectedValue } from '@regstudy/options';
import { z } from 'zod';

/** A tfjs-layers regularizer (e.g. `tf.regularizers.l1l2(...)` or one from `@regstudy/regularizers`). */
export type Regularizer = ReturnType<typeof regularizers.l1l2>;
/** A tfjs-layers initializer. */
export type Initializer = ReturnType<typeof initializers.zeros>;

/** Options shared by every architecture. All fields are optional; defaults in brackets. */
export interface ModelOptions {
  /** Number of output classes [200]. */
  numClasses?: number;
  /** Input shape `[height, width, channels]`, NHWC, float32 pixels in [0, 1] [`[64, 64, 3]`]. */
  inputShape?: [number, number, number];
  /** Regularizer applied to every conv and dense kernel (PyTorch `*.weight` of Conv2d/Linear) [none]. */
  kernelRegularizer?: Regularizer;
  /** Regularizer applied to every conv and dense bias [none]. */
  biasRegularizer?: Regularizer;
  /** Regularizer applied to batch-norm gamma and beta (ResNet only) [none]. */
  batchNormRegularizer?: Regularizer;
  /**
   * Seed for the deterministic initialisation [0]. Every weight gets its own seed derived from
   * `(seed, layer name, weight name)`, so the same seed gives identical weights on every backend.
   */
  seed?: number;
  /** Append a softmax layer so the model outputs probabilities [false: logits]. */
  softmax?: boolean;
  /** Name of the returned `tf.LayersModel` [the registry name, e.g. `'initial'`]. */
  name?: string;
}

/** Options of {@link createNewModel}. */
export interface NewModelOptions extends ModelOptions {
  /** Dropout rate applied to the flattened features before `fc1` [0.2]. */
  dropout?: number;
  /**
   * Which New Model [`'paper'`]:
   * - `'paper'`: paper Figure 11: conv1 -> ReLU -> avg pool -> conv2 -> ReLU -> max pool -> conv3 -> ReLU
   *   -> max pool -> flatten -> dropout -> fc1 -> ReLU -> fc2 (logits).
   * - `'notebook'`: the forward pass written in the authors' notebook: leaky ReLU (slope 0.01) after
   *   every conv, after fc1 and after fc2, and the 2x2 *average* pool after all three convs (the
   *   notebook defines a max pool but never calls it).
   * Both have the same parameters (2,128,730 with 200 classes) and the same state-dict keys.
   */
  variant?: 'paper' | 'notebook';
}

/** Options of {@link createResNet}. */
export interface ResNetOptions extends ModelOptions {
  /** 18 (BasicBlocks [2,2,2,2]) or 34 ([3,4,6,3]) [18]. */
  depth?: 18 | 34;
  /**
   * Stem [`'imagenet'`]:
   * - `'imagenet'`: torchvision's 7x7/2 conv (padding 3) + BN + ReLU + 3x3/2 max pool (padding 1),
   *   as in the paper's code. A 64x64 input reaches the last stage as 2x2.
   * - `'cifar'`: 3x3/1 conv (padding 1) + BN + ReLU, no max pool. A 64x64 input reaches the last
   *   stage as 8x8: better suited to small images, about 16x the FLOPs.
   */
  stem?: 'imagenet' | 'cifar';
  /** Initialise the last BN gamma of each residual block to 0 (torchvision `zero_init_residual`) [false]. */
  zeroInitResidual?: boolean;
}

const regularizerSchema = z.custom<Regularizer>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { apply?: unknown }).apply === 'function',
  { error: expectedValue('a tfjs-layers Regularizer (an object with an apply(x) method)') },
);

const dim = z.number().int().positive();

export const modelOptionsShape = {
  numClasses: dim.default(200),
  inputShape: z.tuple([dim, dim, dim]).default([64, 64, 3]),
  kernelRegularizer: regularizerSchema.optional(),
  biasRegularizer: regularizerSchema.optional(),
  batchNormRegularizer: regularizerSchema.optional(),
  seed: z.number().int().safe().default(0),
  softmax: z.boolean().default(false),
  name: z.string().min(1).optional(),
};

export const modelOptionsSchema = z.object(modelOptionsShape).strict();

export const newModelOptionsSchema = z
  .object({
    ...modelOptionsShape,
    dropout: z.number().min(0).lt(1).default(0.2),
    variant: z.enum(['paper', 'notebook']).default('paper'),
  })
  .strict();

export const resNetOptionsSchema = z
  .object({
    ...modelOptionsShape,
    depth: z.union([z.literal(18), z.literal(34)]).default(18),
    stem: z.enum(['imagenet', 'cifar']).default('imagenet'),
    zeroInitResidual: z.boolean().default(false),
  })
  .strict();

export type ResolvedModelOptions = z.output<typeof modelOptionsSchema>;
export type ResolvedNewModelOptions = z.output<typeof newModelOptionsSchema>;
export type ResolvedResNetOptions = z.output<typeof resNetOptionsSchema>;

/**
 * Throws an {@link OptionsError} naming `inputShape` when it is smaller than `min` in height or width.
 */
export function requireMinInput(inputShape: readonly [number, number, number], min: number, where: string, why: string): void {
  const [h, w] = inputShape;
  if (h < min || w < min) {
    throw new OptionsError(where, {
      option: 'inputShape',
      message: `expected height and width >= ${min} (${why}), got ${describeValue(inputShape)}`,
    });
  }
}
