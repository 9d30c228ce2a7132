import type { ResolvedOptimizerSpec, ResolvedRegularizationSpec } from '../loop/specs';
import type { BestEpoch, TrainEvent, TrainStatus } from '../loop/types';
import type { RunLockHolder } from './run-lock';

/** One cell of the grid. */
export interface RunSpec {
  runId: string;
  model: string;
  regularization: ResolvedRegularizationSpec;
  seed: number;
  epochs: number;
  /** Position in the full grid (models x regularization x seeds, in that nesting order). */
  gridIndex: number;
}

/**
 * config.json of a run: its whole effective config. On restart runStudy compares it with the
 * config asked for (all fields but `runId`, `gridIndex` and `epochs`).
 */
export interface RunConfig extends RunSpec {
  batchSize: number;
  optimizer: ResolvedOptimizerSpec;
  numClasses: number;
  trainCount: number;
  valCount: number;
  /** Side of the square input images in pixels (absent in configs of @regstudy/trainer 0.1). */
  imageSize?: number;
  /** The caller's `dataFingerprint` option, when given. */
  dataFingerprint?: string;
}

export type RunStatusValue = TrainStatus | 'failed' | 'running';

/** status.json of a run. */
export interface RunStatus {
  runId: string;
  status: RunStatusValue;
  epochsCompleted: number;
  best: BestEpoch | null;
  stoppedAt?: { epoch: number; batch: number; reason: string };
  error?: string;
  updatedAt: string;
}

/** study.json: the grid a study (or a shard of it) belongs to. */
export interface StudyManifest {
  version: 1;
  runs: RunSpec[];
  shard?: { index: number; count: number };
}

export type StudyEvent =
  | { type: 'study-start'; total: number; mine: number; shard?: { index: number; count: number } }
  | { type: 'run-skip'; runId: string; status: RunStatusValue }
  | { type: 'run-start'; runId: string; index: number; of: number }
  /** Another live process (or another runStudy of this one) holds the run's lock: the run is left to it. */
  | { type: 'run-locked'; runId: string; holder: RunLockHolder; message: string }
  /** The run's lock was left by a process that is no longer alive and was taken over. */
  | { type: 'lock-takeover'; runId: string; previous: RunLockHolder; message: string }
  /**
   * A finished run asked for more epochs: it continues from its checkpoint (`fromCheckpoint`), or,
   * with no checkpoint left (e.g. pruned), starts over from epoch 1.
   */
  | { type: 'run-extend'; runId: string; epochsCompleted: number; epochs: number; fromCheckpoint: boolean; message: string }
  | { type: 'train'; runId: string; event: TrainEvent }
  | { type: 'run-end'; runId: string; status: RunStatusValue; best: BestEpoch | null; error?: string }
  | { type: 'study-end'; aborted: boolean };

export interface StudyRunResult {
  runId: string;
  dir: string;
  /** 'skipped': finished before; 'locked': left to the process holding its lock. */
  status: RunStatusValue | 'skipped' | 'locked';
  best: BestEpoch | null;
}

export interface StudyResult {
  runs: StudyRunResult[];
  aborted: boolean;
}
