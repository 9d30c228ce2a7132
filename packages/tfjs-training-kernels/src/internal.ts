// Internal entry of @regstudy/tfjs-training-kernels (`@regstudy/tfjs-training-kernels/internal`):
// the GEMM handles, flags and limits that the benchmarks use. Node only (worker threads); not a
// stable API (may change in any minor release). Re-exports only.
export { createWasmGemm, createWasmGemmAsync, isSharedMemory, WasmGemm } from './wasm/gemm/gemm';
export type { GemmBlocking, GemmBuffers, GemmCall, GemmExports, GemmOperand, GemmProduct, Im2colCall, WasmGemmOptions } from './wasm/gemm/gemm';
export type { WinogradTileCall, WinogradTileExport } from './wasm/gemm/winograd-kernels';
export { relaxedSimdSupported } from './wasm/gemm/gemm-kernels';
export type { MicroKernelShape } from './wasm/gemm/gemm-kernels';
export { createBackendGemm, wasmBackendHeap } from './wasm/gemm/backend-heap';
export type { WasmBackendHeap } from './wasm/gemm/backend-heap';
export { createBackendThreadedGemm, createNodeThreadedGemm } from './wasm/gemm/node-gemm-threads';
export { ThreadedWasmGemm } from './wasm/gemm/threaded-gemm';
export type { ThreadedGemmOptions } from './wasm/gemm/threaded-gemm';
export { OWN_GEMM_FLAG, WINOGRAD_FLAG } from './wasm/flags';
export { winogradLimits } from './wasm/gemm/winograd-conv';
export { installOwnGemm } from './wasm/gemm/own-gemm-matmul';
export type { HeapGemm } from './wasm/gemm/own-gemm-matmul';
