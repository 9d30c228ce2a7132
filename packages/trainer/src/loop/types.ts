import type { WeightStats } from '@regstudy/regularizers';

export type { WeightStats };

/** One epoch of the history. Losses are means per example; accuracies are fractions in [0, 1]. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Running mean of the data (cross-entropy) loss over the epoch's batches, train mode. */
  trainLoss: number;
  /** Running mean of the penalty loss terms (l1*sum|w| [+ l2*sum w^2 in 'penalty' mode]). */
  trainPenalty: number;
  /** trainLoss + trainPenalty: what the optimizer minimised (plus coupled decay, if any). */
  trainTotalLoss: number;
  /** Running mean of the train accuracy over the epoch's batches (weights changing, dropout on). */
  trainAccuracy: number;
  /** Validation data loss (eval mode) plus the penalty at the end of the epoch, as the paper logs it. */
  valLoss: number;
  /** Validation cross-entropy alone. */
  valDataLoss: number;
  valAccuracy: number;
  learningRate: number;
  /** Wall time of the whole epoch (train + validation), seconds. */
  epochSeconds: number;
  /** Training throughput: train examples / train-phase seconds. */
  imagesPerSecond: number;
  weightStats?: WeightStats;
}

/** Best validation accuracy so far and the epoch (1-based) it was reached at. */
export interface BestEpoch {
  valAccuracy: number;
  epoch: number;
  /** Train accuracy at that epoch (the paper's "Train Accuracy" column). */
  trainAccuracy: number;
}

export type TrainStatus = 'completed' | 'aborted' | 'diverged';

export interface TrainResult {
  status: TrainStatus;
  /** One record per completed epoch (including epochs restored from a checkpoint). */
  history: EpochRecord[];
  /** null when no epoch completed. */
  best: BestEpoch | null;
  /** Set for 'diverged' (where the loss became non-finite) and 'aborted'. */
  stoppedAt?: { epoch: number; batch: number; reason: string };
  /** The epoch the run resumed after (0 when it started fresh). */
  resumedFromEpoch: number;
}

/** Progress events, for progress bars and live charts. */
export type TrainEvent =
  | { type: 'start'; epochs: number; startEpoch: number; batchesPerEpoch: number; resumed: boolean }
  | {
      type: 'batch';
      epoch: number;
      /** 1-based batch index within the epoch. */
      batch: number;
      batches: number;
      /** Data loss of this batch. */
      loss: number;
      penalty: number;
      accuracy: number;
      size: number;
    }
  | { type: 'epoch'; record: EpochRecord; best: BestEpoch | null }
  | { type: 'checkpoint'; epoch: number }
  | { type: 'end'; status: TrainStatus; best: BestEpoch | null; epochs: number };

/** Picks the epoch with the highest val accuracy (the first one on ties). */
export function bestOf(history: readonly EpochRecord[]): BestEpoch | null {
  let best: BestEpoch | null = null;
  for (const r of history) {
    if (best === null || r.valAccuracy > best.valAccuracy) {
      best = { valAccuracy: r.valAccuracy, epoch: r.epoch, trainAccuracy: r.trainAccuracy };
    }
  }
  return best;
}
