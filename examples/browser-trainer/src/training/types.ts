// Messages between the page and its training worker.
import type { EpochRecord, TrainStatus } from '@regstudy/trainer';
import type { Settings } from '../settings';

export type { EpochRecord, TrainStatus };

/** Weight statistics of one epoch (totals over the trainable weights). */
export interface WeightTotals {
  /** sum |w| */
  l1: number;
  /** sqrt(sum w^2) */
  l2: number;
  /** fraction of weights with |w| <= eps */
  fractionNearZero: number;
  eps: number;
  count: number;
}

/** Page -> worker. */
export type ToWorker =
  | { type: 'start'; settings: Settings; wasmBaseUrl: string; stopFlag?: SharedArrayBuffer }
  | { type: 'stop' };

/** Worker -> page. */
export type FromWorker =
  | { type: 'backend'; backend: string; reason: string; threads?: number }
  | { type: 'engine'; parts: Record<string, string> }
  | { type: 'status'; text: string }
  | { type: 'data'; train: number; val: number; classes: number; imageSize: number }
  | { type: 'model'; name: string; params: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; accuracy: number }
  | { type: 'epoch'; record: EpochRecord; weights: WeightTotals | null }
  | {
      type: 'done';
      status: TrainStatus;
      history: EpochRecord[];
      files: ResultFiles;
      seconds: number;
      /** tf.memory().numTensors after the run minus before it (0 = no leak) */
      leakedTensors: number;
    }
  | { type: 'error'; message: string };

/** The result files of a run, as the Node study writes them under results/<runId>/. */
export interface ResultFiles {
  runId: string;
  'config.json': string;
  'history.json': string;
  'history.csv': string;
  'status.json': string;
}
