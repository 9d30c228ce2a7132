import { engine } from '@tensorflow/tfjs-core';
import { describeError } from '../../select-backend';
import { wasmBackendHeap } from './backend-heap';
import { createWasmGemmAsync, isSharedMemory } from './gemm';
import { relaxedSimdSupported } from '../codegen/gemm-kernels';
import { installOwnGemm, ownGemmInstalledFor } from '../ops/own-gemm-matmul';
import type { ThreadedGemmOptions, ThreadedWasmGemm } from './threaded-gemm';

/** Starts the multi-threaded GEMM (Node: `createNodeThreadedGemm`, browser: `createWebThreadedGemm`). */
export type StartThreadedGemm = (memory: WebAssembly.Memory, options: ThreadedGemmOptions) => Promise<ThreadedWasmGemm>;

/**
 * Creates our GEMM on the initialised wasm backend's heap and installs it for `BatchMatMul` and
 * the convolutions (used while the tfjs flag `REGSTUDY_WASM_OWN_GEMM` is on, the default); once
 * per backend. With `threads > 1` and the threaded build's shared heap, `threads - 1` workers from
 * `startThreads` join each product; else the calling thread only. Never throws: returns a
 * sentence for the backend selection's reason.
 */
export async function installOwnGemmOnWasmBackend(threads: number, startThreads: StartThreadedGemm): Promise<string> {
  try {
    const backend = (engine() as unknown as { registry: Record<string, unknown> }).registry.wasm;
    if (ownGemmInstalledFor(backend)) return 'own SIMD128 GEMM already installed (tfjs flag REGSTUDY_WASM_OWN_GEMM)';
    const heap = wasmBackendHeap(backend);
    const t = isSharedMemory(heap.memory) ? Math.max(1, threads) : 1;
    const options = { alloc: heap.malloc, threads: t };
    const gemm = t > 1 ? await startThreads(heap.memory, options) : await createWasmGemmAsync(heap.memory, options);
    installOwnGemm(gemm, backend);
    const relaxed = relaxedSimdSupported() ? ', relaxed SIMD' : '';
    return `own SIMD128 GEMM on ${t} thread(s)${relaxed} for matmuls and convolutions (tfjs flag REGSTUDY_WASM_OWN_GEMM)`;
  } catch (e) {
    return `own SIMD128 GEMM not installed: ${describeError(e)}`;
  }
}
