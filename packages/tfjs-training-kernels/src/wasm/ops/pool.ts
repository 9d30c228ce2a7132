import { backend_util } from '@tensorflow/tfjs-core';
import type { AvgPoolAttrs, MaxPoolAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { flagOn, POOL_WASM_FLAG } from '../flags';
import { heapOffset, ownGemm, ownGemmInstalledFor, type WasmTensorBackend } from './own-gemm-matmul';
import { POOL_EXPORT, poolFn, type Pool } from '../codegen/pool-kernel';
import { standaloneBackendFunction } from '../codegen/standalone-function';

/** Outputs below this many values keep the stock kernel. */
export const POOL_WASM_MIN_OUTPUTS = 1024;

/**
 * `MaxPool` (`max`) or `AvgPool` of a float32 NHWC `x` on the generated `pool2d` (see `poolFn`):
 * on the installed GEMM's module, split by image over its threads, when it belongs to `backend`,
 * else on the function compiled alone for the heap. Only windows that lie inside the image (no
 * padding, as 'valid' gives) and dilation 1; null otherwise, when the flag
 * `REGSTUDY_WASM_POOL_WASM` is off, or when no generated function is available (the caller runs
 * the stock kernel).
 */
export function pool2dWasm(backend: unknown, x: TensorInfo, attrs: MaxPoolAttrs | AvgPoolAttrs, max: boolean): TensorInfo | null {
  if (!flagOn(POOL_WASM_FLAG) || x.dtype !== 'float32' || x.shape.length !== 4) return null;
  const be = backend as Partial<WasmTensorBackend>;
  if (typeof be.dataIdMap?.get !== 'function' || typeof be.makeOutput !== 'function') return null;
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (padInfo.top !== 0 || padInfo.left !== 0 || padInfo.bottom !== 0 || padInfo.right !== 0) return null;
  if ((ho - 1) * sh + kh > h || (wo - 1) * sw + kw > w || n * ho * wo * c < POOL_WASM_MIN_OUTPUTS) return null;
  const gemm = ownGemmInstalledFor(backend) ? ownGemm() : null;
  const fn = gemm?.pool ? gemm.pool.bind(gemm) : standaloneBackendFunction<Pool>(backend, POOL_EXPORT, poolFn);
  if (fn === null) return null;
  const wb = backend as WasmTensorBackend;
  const out = wb.makeOutput([n, ho, wo, c], 'float32');
  fn(heapOffset(wb, x), heapOffset(wb, out), n, h, w, c, ho, wo, kh, kw, sh, sw, max ? 1 : 0);
  return out;
}
