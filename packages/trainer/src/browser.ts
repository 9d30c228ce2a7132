// Browser entry of @regstudy/trainer (`@regstudy/trainer/browser`): re-exports only.
export { browserBackendChoices, isSoftwareAdapter, useBrowserBackend } from './backends/use-browser-backend';
export type { BrowserBackendChoice, UseBrowserBackendOptions } from './backends/use-browser-backend';
export type { BackendSelection } from './backends/select-backend';
export { registerWasmTrainingKernels } from './backends/wasm/register-training-kernels';
export type { WasmTrainingKernelsInfo } from './backends/wasm/register-training-kernels';
export { memoryCheckpointStore } from './loop/checkpoint';
