// Messages between the page and its training worker, and the per-epoch record they carry.
import type { Settings } from '../settings';

/** Weight statistics of one epoch (totals over the trainable weights). */
export interface WeightTotals {
  /** sum |w| */
  l1: number;
  /** sqrt(sum w^2) */
  l2: number;
  /** fraction of weights with |w| < eps */
  fractionNearZero: number;
  count: number;
}

/** One epoch of a run, in the field names of @regstudy/trainer's history.json. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainPenalty: number;
  trainTotalLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  epochSeconds: number;
  imagesPerSecond: number;
  weightStats?: unknown;
}

export type RunStatus = 'completed' | 'aborted' | 'diverged';

/** Page -> worker. */
export type ToWorker =
  | { type: 'start'; settings: Settings; wasmBaseUrl: string; cacheBaseUrl?: string; stopFlag?: SharedArrayBuffer }
  | { type: 'stop' };

/** Worker -> page. */
export type FromWorker =
  | { type: 'backend'; backend: string; reason: string; threads?: number }
  | { type: 'engine'; parts: Record<string, 'package' | 'fallback'> }
  | { type: 'status'; text: string }
  | { type: 'data'; train: number; val: number; classes: number; imageSize: number }
  | { type: 'model'; name: string; params: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; accuracy: number }
  | { type: 'epoch'; record: EpochRecord; weights: WeightTotals }
  | { type: 'done'; status: RunStatus; history: EpochRecord[]; files: ResultFiles; seconds: number }
  | { type: 'error'; message: string };

/** The result files of a run, as the Node study writes them under results/<runId>/. */
export interface ResultFiles {
  runId: string;
  'config.json': string;
  'history.json': string;
  'history.csv': string;
  'status.json': string;
}
