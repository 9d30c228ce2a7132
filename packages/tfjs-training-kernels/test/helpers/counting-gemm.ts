import * as tf from '@tensorflow/tfjs-core';
import { OWN_GEMM_FLAG } from '../../src/wasm/flags';
import { createBackendGemm } from '../../src/wasm/runtime/backend-heap';
import type { WasmGemm } from '../../src/wasm/runtime/gemm';
import { installOwnGemm, type HeapGemm } from '../../src/wasm/ops/own-gemm-matmul';

/** How often the installed own GEMM's entry points ran (read differences around a call). */
export interface GemmCounts {
  gemm: number;
  im2col: number;
  col2im: number;
  splitK: number;
}

/**
 * Installs a single-threaded own GEMM on the wasm backend (already initialised) whose `gemm`,
 * `im2col`, `col2im` (and `gemmSplitK`, when `splitK` builds one from the plain GEMM) count their
 * calls, and turns `REGSTUDY_WASM_OWN_GEMM` on. Undo with {@link uninstallCountingGemm}.
 */
export function installCountingGemm(splitK?: (gemm: WasmGemm) => NonNullable<HeapGemm['gemmSplitK']>): GemmCounts {
  const counts: GemmCounts = { gemm: 0, im2col: 0, col2im: 0, splitK: 0 };
  const wasm = tf.engine().findBackend('wasm');
  const gemm = createBackendGemm(wasm);
  const split = splitK?.(gemm);
  installOwnGemm(
    {
      gemm: (...args) => (counts.gemm++, gemm.gemm(...args)),
      ...(split ? { gemmSplitK: (...args: Parameters<typeof split>) => (counts.splitK++, split(...args)) } : {}),
      im2col: (...args) => (counts.im2col++, gemm.im2col(...args)),
      col2im: (...args) => (counts.col2im++, gemm.col2im(...args)),
    },
    wasm,
  );
  tf.env().set(OWN_GEMM_FLAG, true);
  return counts;
}

/** Turns the flag off and removes the installed GEMM. */
export function uninstallCountingGemm(): void {
  tf.env().set(OWN_GEMM_FLAG, false);
  installOwnGemm(null);
}
