import type { TensorInfo } from '@tensorflow/tfjs-core';
import { MAX_POOL_GRAD_EXPORT, maxPoolGradFn, type MaxPoolGrad, type MaxPoolGradCall } from '../codegen/max-pool-grad-kernel';
import { heapOffset, ownGemm, ownGemmInstalledFor, type WasmTensorBackend } from './own-gemm-matmul';
import { standaloneBackendFunction } from '../codegen/standalone-function';

/** Pool geometry of {@link runMaxPoolGradWasm} (see `backend_util.computePool2DInfo`). */
export interface PoolGeometry {
  n: number; h: number; w: number; c: number; ho: number; wo: number;
  kh: number; kw: number; sh: number; sw: number; pt: number; pl: number;
}

/**
 * Runs the generated `maxPoolGrad` (see `maxPoolGradFn`) writing `out` (already allocated,
 * `[n, h, w, c]`) from `x`, `dy` and, when given, the forward output `y` (early exit; only when x
 * has no NaN). On the installed GEMM's module (split by image over its threads) when it belongs
 * to `backend`, else on a module compiled for the heap alone. Returns false (nothing written)
 * when neither is available: the caller runs the JavaScript pass.
 */
export function runMaxPoolGradWasm(backend: unknown, x: TensorInfo, dy: TensorInfo, y: TensorInfo | null, out: TensorInfo, geo: PoolGeometry): boolean {
  const be = backend as Partial<WasmTensorBackend>;
  if (typeof be.dataIdMap?.get !== 'function') return false;
  const gemm = ownGemmInstalledFor(backend) ? ownGemm() : null;
  const fn = gemm?.maxPoolGrad ? gemm.maxPoolGrad.bind(gemm) : standaloneBackendFunction<MaxPoolGrad>(backend, MAX_POOL_GRAD_EXPORT, maxPoolGradFn);
  if (fn === null) return false;
  const at = (t: TensorInfo): number => heapOffset(be as WasmTensorBackend, t);
  const { n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl } = geo;
  const call: MaxPoolGradCall = [at(x), at(dy), y === null ? 0 : at(y), at(out), n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl, y === null ? 0 : 1];
  fn(...call);
  return true;
}
