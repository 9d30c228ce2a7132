// Browser entry of @regstudy/trainer (`@regstudy/trainer/browser`): re-exports only.
export { memoryCheckpointStore } from './loop/checkpoint';
export { browserBackendChoices, isSoftwareAdapter, useBrowserBackend } from './backends/use-browser-backend';
export type { BrowserBackendChoice, UseBrowserBackendOptions } from './backends/use-browser-backend';
export type { BackendSelection } from './backends/select-backend';
export { registerWasmTrainingKernels } from './backends/wasm/register-training-kernels';
export type { WasmTrainingKernelsInfo } from './backends/wasm/register-training-kernels';
