import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { FEW_CHANNEL_FILTER_GRAD_FLAG, flagOn } from './flags';
import { wasmBackendHeap } from './gemm/backend-heap';
import { FEW_CHANNEL_MAX_CI, FEW_CHANNEL_MAX_CO, fewChannelFilterGradOn } from './gemm/few-channel-filter-grad-kernel';
import { heapOffset, type WasmTensorBackend } from './gemm/own-gemm-matmul';

/**
 * The stride-1 filter gradient of a convolution with few input channels (`Ci <= 4`, `Co <= 32`:
 * the 3 -> 10 first layers), any filter size and padding, on a generated SIMD128 kernel that
 * streams `x` and `dy` once per output row with no im2col (see `fewChannelFilterGradFn`):
 *
 *   dW[i, j, c, o] = sum_{n, y, x} xpad[n, y + i - top, x + j - left, c] * dy[n, y, x, o]
 *
 * `2 N Ho Wo kh kw Ci Co` FLOPs at most (taps over the padding are skipped). The accumulators
 * (`kh kw Ci ceil(Co/4)` v128) are a temporary heap tensor, copied to the `[kh, kw, Ci, Co]`
 * output without their padding lanes. Single-threaded. Returns null (the caller takes another
 * path) when the flag `REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD` is off, the shape or dtype does not
 * qualify, the backend's heap cannot be found, or fewer than 16 bytes of memory follow `dy`
 * (the kernel's last vector may read 12 bytes past it).
 */
export function fewChannelFilterGrad(backend: unknown, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (!flagOn(FEW_CHANNEL_FILTER_GRAD_FLAG)) return null;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || info.dataFormat !== 'channelsLast') return null;
  if (sh !== 1 || sw !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (ci > FEW_CHANNEL_MAX_CI || co > FEW_CHANNEL_MAX_CO || n * h * w * ci * ho * wo * co * kh * kw === 0) return null;
  let memory: WebAssembly.Memory;
  try {
    memory = wasmBackendHeap(backend).memory;
  } catch {
    return null;
  }
  const nv = Math.ceil(co / 4);
  const kernel = fewChannelFilterGradOn(memory, ci, nv);
  if (kernel === null) return null;
  const be = backend as WasmTensorBackend;
  const dyPtr = heapOffset(be, dy);
  if (dyPtr + n * ho * wo * co * 4 + 16 > memory.buffer.byteLength) return null;
  const accLen = kh * kw * ci * nv * 4;
  const acc = be.makeOutput([accLen], 'float32');
  const out = be.makeOutput([kh, kw, ci, co], 'float32');
  try {
    (be.typedArrayFromHeap(acc) as Float32Array).fill(0);
    kernel(heapOffset(be, x), heapOffset(be, dy), n, h, w, ho, wo, co, kh, kw, padInfo.top, padInfo.left, heapOffset(be, acc));
    // Views after the kernel and both allocations (a heap growth detaches earlier views).
    const src = be.typedArrayFromHeap(acc) as Float32Array;
    const dst = be.typedArrayFromHeap(out) as Float32Array;
    for (let t = 0; t < kh * kw * ci; t++) dst.set(src.subarray(t * nv * 4, t * nv * 4 + co), t * co);
  } finally {
    be.disposeData(acc.dataId);
  }
  return out;
}
