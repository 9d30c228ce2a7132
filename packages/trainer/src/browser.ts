// Browser entry of @regstudy/trainer (`@regstudy/trainer/browser`): re-exports only.
export { memoryCheckpointStore } from './loop/checkpoint';
