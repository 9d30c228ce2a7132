// Browser entry of @regstudy/trainer (`@regstudy/trainer/browser`): re-exports only.
export { browserBackendChoices, useBrowserBackend } from './backends/use-browser-backend';
export { isSoftwareAdapter } from './backends/webgpu/adapter';
export type { BrowserBackendChoice, UseBrowserBackendOptions } from './backends/use-browser-backend';
export type { BackendSelection } from './backends/select-backend';
export { registerWasmTrainingKernels } from './backends/wasm/register-training-kernels';
export type { WasmTrainingKernelsInfo } from './backends/wasm/register-training-kernels';
export { memoryCheckpointStore } from './loop/checkpoint';
export { IM2COL_MIN_ROWS_FLAG, registerWebGpuTrainingKernels } from './backends/webgpu/register-webgpu-training-kernels';
export type { WebGpuTrainingKernelsInfo } from './backends/webgpu/register-webgpu-training-kernels';
