import { engine } from '@tensorflow/tfjs-core';
import { describeError } from '../../select-backend';
import { wasmBackendHeap } from './backend-heap';
import { createWasmGemm, isSharedMemory } from './gemm';
import { createNodeThreadedGemm } from './node-gemm-threads';
import { installOwnGemm, ownGemmInstalledFor } from './own-gemm-matmul';

/**
 * Creates our GEMM on the initialised wasm backend's heap and installs it for `BatchMatMul`
 * and the convolutions (used while the tfjs flag `REGSTUDY_WASM_OWN_GEMM` is on, the default); once
 * per backend: with `threads > 1` and the threaded
 * build's shared heap, `threads - 1` worker threads join each product; else the calling thread
 * only. Never throws: returns a sentence for `useBackend`'s reason.
 */
export async function installNodeOwnGemm(threads: number): Promise<string> {
  try {
    const backend = (engine() as unknown as { registry: Record<string, unknown> }).registry.wasm;
    if (ownGemmInstalledFor(backend)) return 'own SIMD128 GEMM already installed (tfjs flag REGSTUDY_WASM_OWN_GEMM)';
    const heap = wasmBackendHeap(backend);
    const t = isSharedMemory(heap.memory) ? Math.max(1, threads) : 1;
    const gemm = t > 1 ? await createNodeThreadedGemm(heap.memory, { alloc: heap.malloc, threads: t }) : createWasmGemm(heap.memory, { alloc: heap.malloc });
    installOwnGemm(gemm, backend);
    return `own SIMD128 GEMM ready on ${t} thread(s) (tfjs flag REGSTUDY_WASM_OWN_GEMM)`;
  } catch (e) {
    return `own SIMD128 GEMM not installed: ${describeError(e)}`;
  }
}
