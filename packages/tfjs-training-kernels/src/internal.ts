// Internal entry of @regstudy/tfjs-training-kernels (`@regstudy/tfjs-training-kernels/internal`):
// the GEMM handles, flags and limits that the benchmarks use. Node only (worker threads); not a
// stable API (may change in any minor release). Re-exports only.
export { createWasmGemm, createWasmGemmAsync, isSharedMemory, WasmGemm } from './wasm/runtime/gemm';
export type { GemmBlocking, GemmBuffers, GemmCall, GemmExports, GemmOperand, GemmProduct, Im2colCall, WasmGemmOptions } from './wasm/runtime/gemm';
export type { WinogradTileCall, WinogradTileExport } from './wasm/codegen/winograd-kernels';
export { relaxedSimdSupported } from './wasm/codegen/gemm-kernels';
export type { MicroKernelShape } from './wasm/codegen/gemm-kernels';
export { createBackendGemm, wasmBackendHeap } from './wasm/runtime/backend-heap';
export type { WasmBackendHeap } from './wasm/runtime/backend-heap';
export { createBackendThreadedGemm, createNodeThreadedGemm } from './wasm/runtime/node-gemm-threads';
export { ThreadedWasmGemm } from './wasm/runtime/threaded-gemm';
export type { ThreadedGemmOptions } from './wasm/runtime/threaded-gemm';
export { OWN_GEMM_FLAG, WINOGRAD_FLAG } from './wasm/flags';
export { winogradLimits } from './wasm/ops/winograd-conv';
export { installOwnGemm } from './wasm/ops/own-gemm-matmul';
export type { HeapGemm } from './wasm/ops/own-gemm-matmul';
