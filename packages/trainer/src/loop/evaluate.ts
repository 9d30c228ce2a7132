import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { penalty, selectVariables } from '@regstudy/regularizers';
import { z } from 'zod';
import { isImageSplit, toBatchSource, type BatchRequest, type BatchSource, type ImageSplit } from './batch-source';
import { regularizationSpecSchema, type ResolvedRegularizationSpec } from './specs';
import { expectedValue, OptionsError, parseOptions } from './validate';

/** Classes of a model: the last dimension of its (logits) output. */
export function numClassesOf(model: tfl.LayersModel, fn = 'train()'): number {
  const shape = model.outputs[0]?.shape;
  const n = shape?.[shape.length - 1];
  if (typeof n !== 'number') throw new TypeError(`${fn} options.model: the output must have a fixed last dimension (classes)`);
  return n;
}

/** The loss terms of a regularization spec: `l1*sum|w|`, plus `l2*sum w^2` only in 'penalty' mode. */
export function lossPenaltyTerms(reg: ResolvedRegularizationSpec): { l1: number; l2: number } {
  return { l1: reg.l1, l2: reg.l2Mode === 'penalty' ? reg.l2 : 0 };
}

/** Sums of one eval-mode pass over a source. */
export interface EvalPass {
  /** Mean cross-entropy per example (NaN when the source is empty). */
  dataLoss: number;
  /** Fraction of examples whose argmax logit is the label (0 when empty). */
  accuracy: number;
  count: number;
}

/**
 * One pass over `source` in eval mode (`model.apply(x, { training: false })`): mean softmax
 * cross-entropy and accuracy, each batch weighted by its size. The loop's validation step.
 */
export async function evaluatePass(model: tfl.LayersModel, source: BatchSource, numClasses: number, request: BatchRequest): Promise<EvalPass> {
  let seen = 0;
  let lossSum = 0;
  let correctSum = 0;
  for await (const { xs, ys, size } of source.batches(request)) {
    const stats = tf.tidy(() => {
      const logits = model.apply(xs, { training: false }) as tf.Tensor2D;
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(ys, numClasses), logits);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), ys), 'float32'));
      return tf.stack([loss, correct]);
    });
    tf.dispose([xs, ys]);
    const [loss, correct] = await stats.data();
    stats.dispose();
    seen += size;
    lossSum += loss! * size;
    correctSum += correct!;
  }
  return { dataLoss: seen ? lossSum / seen : Number.NaN, accuracy: seen ? correctSum / seen : 0, count: seen };
}

const isModel = (v: unknown): v is tfl.LayersModel => {
  const m = v as Partial<tfl.LayersModel> | null;
  return m != null && typeof m.apply === 'function' && Array.isArray(m.trainableWeights);
};
const isSource = (v: unknown): v is BatchSource | ImageSplit => {
  const s = v as Partial<BatchSource> | null;
  return isImageSplit(v) || (s != null && typeof s.batches === 'function' && typeof s.count === 'number');
};

const evaluateOptionsSchema = z.strictObject({
  model: z.custom<tfl.LayersModel>(isModel, { error: expectedValue('a tf.LayersModel') }),
  data: z.custom<BatchSource | ImageSplit>(isSource, { error: expectedValue('a TinyImageNetSplit or a BatchSource') }),
  /** Examples per forward pass (changes nothing but float rounding and memory). */
  batchSize: z.number().int().min(1).default(100),
  /** The run's regularization, for the penalty term of `loss` (as `EpochRecord.valLoss` has it). */
  regularization: regularizationSpecSchema.optional(),
});

/** Options of {@link evaluate}. */
export type EvaluateOptions = z.input<typeof evaluateOptionsSchema>;

/** What {@link evaluate} measured. */
export interface EvaluateResult {
  /** Examples evaluated. */
  count: number;
  /** Fraction correct, in [0, 1]: `EpochRecord.valAccuracy` of the epoch whose weights the model holds. */
  accuracy: number;
  /** Mean cross-entropy per example: `EpochRecord.valDataLoss`. */
  dataLoss: number;
  /** `l1*sum|w| (+ l2*sum w^2 in 'penalty' mode)` over the selected variables; 0 without `regularization`. */
  penalty: number;
  /** `dataLoss + penalty`: `EpochRecord.valLoss`. */
  loss: number;
}

/**
 * Evaluates a model on a split exactly as {@link train} validates after each epoch: eval mode,
 * batches in order, `CE = mean_i -log softmax(logits_i)[y_i]`, accuracy of the argmax, and with
 * `regularization` the penalty at the current weights added to the loss.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const opts = parseOptions(evaluateOptionsSchema, options, 'evaluate()');
  const numClasses = numClassesOf(opts.model, 'evaluate()');
  if (isImageSplit(opts.data)) {
    const max = opts.data.labels.reduce((m, l) => Math.max(m, l), -1);
    if (max >= numClasses) {
      throw new OptionsError('evaluate()', { option: 'data.labels', message: `expected labels < ${numClasses} (the model's output classes), got label ${max}` });
    }
  }
  const pass = await evaluatePass(opts.model, toBatchSource(opts.data), numClasses, { batchSize: opts.batchSize, shuffle: false, seed: 0, epoch: 1 });
  let pen = 0;
  if (opts.regularization) {
    const terms = lossPenaltyTerms(opts.regularization);
    if (terms.l1 > 0 || terms.l2 > 0) {
      const vars = selectVariables(opts.model.trainableWeights.map((w) => w.read() as tf.Variable), opts.regularization.select);
      const t = penalty(vars, terms);
      pen = (await t.data())[0]!;
      t.dispose();
    }
  }
  return { count: pass.count, accuracy: pass.accuracy, dataLoss: pass.dataLoss, penalty: pen, loss: pass.dataLoss + pen };
}
