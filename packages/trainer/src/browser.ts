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
export { OWN_GEMM_FLAG, WINOGRAD_FLAG } from './backends/wasm/flags';
export { winogradLimits } from './backends/wasm/gemm/winograd-conv';
export { createWasmGemm, createWasmGemmAsync, WasmGemm } from './backends/wasm/gemm/gemm';
export type { GemmOperand, WasmGemmOptions } from './backends/wasm/gemm/gemm';
export { createWebThreadedGemm } from './backends/wasm/gemm/web-gemm-threads';
export { ThreadedWasmGemm } from './backends/wasm/gemm/threaded-gemm';
export type { ThreadedGemmOptions } from './backends/wasm/gemm/threaded-gemm';
export { installOwnGemm } from './backends/wasm/gemm/own-gemm-matmul';
