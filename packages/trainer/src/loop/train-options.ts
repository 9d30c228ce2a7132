import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { expectedValue } from './validate';
import { isImageSplit, type BatchSource, type ImageSplit } from './batch-source';
import { isCheckpointStore, type CheckpointStore } from './checkpoint';
import { optimizerSpecSchema, regularizationSpecSchema } from './specs';
import type { BestEpoch, EpochRecord, TrainEvent } from './types';

const isModel = (v: unknown): v is tfl.LayersModel => {
  const m = v as Partial<tfl.LayersModel> | null;
  return m != null && typeof m.apply === 'function' && Array.isArray(m.trainableWeights);
};
const isSource = (v: unknown): v is BatchSource | ImageSplit => {
  const s = v as Partial<BatchSource> | null;
  return isImageSplit(v) || (s != null && typeof s.batches === 'function' && typeof s.count === 'number');
};

export const trainOptionsSchema = z.strictObject({
  model: z.custom<tfl.LayersModel>(isModel, { error: expectedValue('a tf.LayersModel') }),
  train: z.custom<BatchSource | ImageSplit>(isSource, { error: expectedValue('a TinyImageNetSplit or a BatchSource') }),
  val: z.custom<BatchSource | ImageSplit>(isSource, { error: expectedValue('a TinyImageNetSplit or a BatchSource') }),
  epochs: z.number().int().min(1),
  batchSize: z.number().int().min(1).default(100),
  optimizer: optimizerSpecSchema.default({ kind: 'sgd', learningRate: 0.001, momentum: 0.9 }),
  regularization: regularizationSpecSchema.default({
    l1: 0,
    l2: 0,
    l2Mode: 'weight-decay',
    select: 'all',
    proximalL1: 0,
    decoupledDecay: 0,
  }),
  seed: z.number().int().min(0).default(0),
  /** Shuffle the validation set too (the paper does; it changes nothing but the batch order). */
  shuffleVal: z.boolean().default(false),
  /** Compute weight statistics each epoch (one device read per variable). */
  weightStats: z.boolean().default(true),
  /** Where each completed epoch is saved and a restarted run resumes from (see the README). */
  checkpoint: z
    .custom<CheckpointStore>(isCheckpointStore, {
      error: (issue) =>
        typeof issue.input === 'object' && issue.input !== null && 'dir' in issue.input
          ? "expected a CheckpointStore; for a directory use fsCheckpointStore(dir) or train() from '@regstudy/trainer/node'"
          : 'expected a CheckpointStore (an object with load() and save())',
    })
    .optional(),
  signal: z.custom<AbortSignal>((v) => typeof v === 'object' && v !== null && 'aborted' in v).optional(),
  onEvent: z.custom<(event: TrainEvent) => void>((v) => typeof v === 'function').optional(),
  /**
   * Awaited after each completed epoch (after its 'epoch' event, before its checkpoint is saved),
   * while the model holds that epoch's weights: e.g. to keep the best weights (`best.epoch ===
   * record.epoch`). Nothing trains until it resolves; a rejection ends train() with that error.
   */
  afterEpoch: z.custom<(info: AfterEpochInfo) => Promise<void> | void>((v) => typeof v === 'function').optional(),
});

/** What {@link TrainOptions.afterEpoch} gets. */
export interface AfterEpochInfo {
  record: EpochRecord;
  /** Best epoch so far, this one included. */
  best: BestEpoch | null;
  /** The model being trained, holding the weights at the end of `record.epoch` (do not dispose). */
  model: tfl.LayersModel;
}

/** Options of {@link train}. See the README for the protocol (losses, L2 modes, resume). */
export type TrainOptions = z.input<typeof trainOptionsSchema>;
export type ResolvedTrainOptions = z.output<typeof trainOptionsSchema>;
