import type { ResolvedOptimizerSpec, ResolvedRegularizationSpec } from '../loop/specs';
import type { BestEpoch, TrainEvent, TrainStatus } from '../loop/types';

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

/** config.json of a run. */
export interface RunConfig extends RunSpec {
  batchSize: number;
  optimizer: ResolvedOptimizerSpec;
  numClasses: number;
  trainCount: number;
  valCount: number;
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
  | { type: 'train'; runId: string; event: TrainEvent }
  | { type: 'run-end'; runId: string; status: RunStatusValue; best: BestEpoch | null; error?: string }
  | { type: 'study-end'; aborted: boolean };

export interface StudyRunResult {
  runId: string;
  dir: string;
  status: RunStatusValue | 'skipped';
  best: BestEpoch | null;
}

export interface StudyResult {
  runs: StudyRunResult[];
  aborted: boolean;
}
