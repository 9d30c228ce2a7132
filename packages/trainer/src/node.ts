// Node entry of @regstudy/trainer (`@regstudy/trainer/node`): re-exports only.
export { coreCount, nodeBackendChoices, useBackend } from './backends/use-backend';
export type { NodeBackendChoice, UseBackendOptions } from './backends/use-backend';
export type { BackendSelection } from './backends/select-backend';
export { registerWasmTrainingKernels } from './backends/wasm/register-training-kernels';
export type { WasmTrainingKernelsInfo } from './backends/wasm/register-training-kernels';
export { fsCheckpointStore } from './node/fs-checkpoint-store';
export { IM2COL_MIN_ROWS_FLAG, registerWebGpuTrainingKernels } from './backends/webgpu/register-webgpu-training-kernels';
export type { WebGpuTrainingKernelsInfo } from './backends/webgpu/register-webgpu-training-kernels';
export { createWasmGemm, createWasmGemmAsync, isSharedMemory, WasmGemm } from './backends/wasm/gemm/gemm';
export type { GemmBlocking, GemmBuffers, GemmCall, GemmExports, GemmOperand, WasmGemmOptions } from './backends/wasm/gemm/gemm';
export { relaxedSimdSupported } from './backends/wasm/gemm/gemm-kernels';
export type { MicroKernelShape } from './backends/wasm/gemm/gemm-kernels';
export { createBackendGemm, wasmBackendHeap } from './backends/wasm/gemm/backend-heap';
export type { WasmBackendHeap } from './backends/wasm/gemm/backend-heap';
export { createBackendThreadedGemm, createNodeThreadedGemm, ThreadedWasmGemm } from './backends/wasm/gemm/node-gemm-threads';
export type { ThreadedGemmOptions } from './backends/wasm/gemm/node-gemm-threads';
