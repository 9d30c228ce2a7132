// Node entry of @regstudy/tfjs-training-kernels (`@regstudy/tfjs-training-kernels/node`): re-exports only.
export { coreCount, nodeBackendChoices, useBackend } from './use-backend';
export type { NodeBackendChoice, UseBackendOptions } from './use-backend';
export type { BackendSelection } from './select-backend';
