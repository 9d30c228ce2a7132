// Node entry of @regstudy/trainer (`@regstudy/trainer/node`): re-exports only.
export { fsCheckpointStore } from './node/fs-checkpoint-store';
export { train } from './node/train-in-dir';
export type { NodeTrainOptions } from './node/train-in-dir';
export { writeFileAtomic } from './node/write-file-atomic';
export { loadKeptModel } from './node/kept-model';
export type { KeptModel } from './node/kept-model';
export { DiskFullError } from '@regstudy/options';
