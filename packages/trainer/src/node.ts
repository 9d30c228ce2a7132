// Node entry of @regstudy/trainer (`@regstudy/trainer/node`): re-exports only.
export { fsCheckpointStore } from './node/fs-checkpoint-store';
