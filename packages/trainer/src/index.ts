// Public API of @regstudy/trainer: re-exports only.
export { train } from './loop/train';
export { trainStream } from './loop/train-stream';
export { createEventStream } from './loop/event-stream';
export type { EventStream } from './loop/event-stream';
export type { AfterEpochInfo, TrainOptions } from './loop/train-options';
export { evaluate } from './loop/evaluate';
export type { EvaluateOptions, EvaluateResult } from './loop/evaluate';
export { OptionsError } from './loop/validate';
export type {
  OptimizerSpec,
  RegularizationSpec,
  ResolvedOptimizerSpec,
  ResolvedRegularizationSpec,
} from './loop/specs';
export { bestOf } from './loop/types';
export type { BestEpoch, EpochRecord, TrainEvent, TrainResult, TrainStatus, WeightStats } from './loop/types';
export { splitBatchSource, toBatchSource } from './loop/batch-source';
export type { Batch, BatchRequest, BatchSource, ImageSplit, SplitPipelineOptions } from './loop/batch-source';
export { memoryCheckpointStore } from './loop/checkpoint';
export type { CheckpointState, CheckpointStore, SavedTensor } from './loop/checkpoint';
export { runStudy } from './study/run-study';
export type { KeptFormat, KeptModelMetadata, KeptWhich } from './study/kept-weights';
export { DiskFullError } from '@regstudy/options';
export { mergeStudy } from './study/merge-study';
export type { MergeResult } from './study/merge-study';
export { paperRegularizationGrid } from './study/study-options';
export type { CustomModel, StudyData, StudyOptions } from './study/study-options';
export { expandGrid, shardRuns } from './study/grid';
export { runIdOf } from './study/run-id';
export { compareRunConfigs, RunConfigMismatchError } from './study/run-config-check';
export type { ConfigDifference } from './study/run-config-check';
export type { RunLockHolder } from './study/run-lock';
export { historyCsvColumns, historyToCsv } from './study/history-csv';
export type {
  RunConfig,
  RunSpec,
  RunStatus,
  RunStatusValue,
  StudyEvent,
  StudyManifest,
  StudyResult,
  StudyRunResult,
} from './study/study-types';
export type { ModelFactoryContext } from './internal/architectures';
