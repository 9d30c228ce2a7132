import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { FEW_CHANNEL_FILTER_GRAD_FLAG, flagOn } from './flags';
import { wasmBackendHeap } from './gemm/backend-heap';
import { isSharedMemory, type FewChannelFilterGradCall } from './gemm/gemm';
import { relaxedSimdSupported } from './gemm/gemm-kernels';
import { FEW_CHANNEL_MAX_CI, FEW_CHANNEL_MAX_CO, fewChannelFilterGradFn, type FewChannelFilterGrad } from './gemm/few-channel-filter-grad-kernel';
import { activeOwnGemm, heapOffset, type WasmTensorBackend } from './gemm/own-gemm-matmul';
import { encodeModule } from './gemm/wasm-encoder';

/** Most per-slice accumulator blocks (threads x slabs per thread) one call may use. */
const MAX_SLICES = 16;

/**
 * The stride-1 filter gradient of a convolution with few input channels (`Ci <= 4`, `Co <= 32`:
 * the 3 -> 10 first layers), any filter size and padding, on a generated SIMD128 kernel that
 * streams `x` and `dy` once per output row with no im2col (see `fewChannelFilterGradFn`):
 *
 *   dW[i, j, c, o] = sum_{n, y, x} xpad[n, y + i - top, x + j - left, c] * dy[n, y, x, o]
 *
 * `2 N Ho Wo kh kw Ci Co` FLOPs at most (taps over the padding are skipped). With our GEMM
 * installed (`REGSTUDY_WASM_OWN_GEMM`, threaded in Node) the batch is split into slices over its
 * threads, each accumulating into its own block of `kh kw Ci 4 ceil(Co/4)` floats; otherwise one
 * thread runs a module compiled for the heap. The blocks (a temporary heap tensor) are summed into
 * the `[kh, kw, Ci, Co]` output without their padding lanes. Returns null (the caller takes
 * another path) when the flag `REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD` is off, the shape or dtype
 * does not qualify, the backend's heap cannot be found, or fewer than 16 bytes of memory follow
 * `dy` (the kernel's last vector may read 12 bytes past it).
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
  const gemm = activeOwnGemm(backend);
  const threaded = gemm?.fewChannelFilterGrad?.bind(gemm) ?? null;
  const single = threaded === null ? standaloneKernel(memory, ci, nv) : null;
  if (threaded === null && single === null) return null;
  const be = backend as WasmTensorBackend;
  if (heapOffset(be, dy) + n * ho * wo * co * 4 + 16 > memory.buffer.byteLength) return null;
  const block = kh * kw * ci * nv * 4;
  const slots = threaded === null ? 1 : MAX_SLICES;
  const acc = be.makeOutput([slots * block], 'float32');
  const out = be.makeOutput([kh, kw, ci, co], 'float32');
  try {
    (be.typedArrayFromHeap(acc) as Float32Array).fill(0);
    const call: FewChannelFilterGradCall = [heapOffset(be, x), heapOffset(be, dy), n, h, w, ho, wo, co, kh, kw, padInfo.top, padInfo.left, heapOffset(be, acc)];
    let used = 1;
    if (threaded !== null) used = threaded(ci, nv, call, block * 4, slots);
    else single!(...call);
    // Views after the kernel and both allocations (a heap growth detaches earlier views).
    const src = be.typedArrayFromHeap(acc) as Float32Array;
    const dst = be.typedArrayFromHeap(out) as Float32Array;
    for (let t = 0; t < kh * kw * ci; t++) {
      for (let o = 0; o < co; o++) {
        let sum = 0;
        for (let s = 0; s < used; s++) sum += src[s * block + t * nv * 4 + o]!;
        dst[t * co + o] = sum;
      }
    }
  } finally {
    be.disposeData(acc.dataId);
  }
  return out;
}

const cache = new WeakMap<WebAssembly.Memory, Map<string, FewChannelFilterGrad | null>>();

/**
 * The `(ci, nv)` kernel compiled alone for `memory` (shared or not), cached per memory: the path
 * without our GEMM installed. Null where the engine refuses to compile it synchronously (e.g. a
 * browser main thread).
 */
function standaloneKernel(memory: WebAssembly.Memory, ci: number, nv: number): FewChannelFilterGrad | null {
  let perMemory = cache.get(memory);
  if (perMemory === undefined) {
    perMemory = new Map();
    cache.set(memory, perMemory);
  }
  const key = `${ci}x${nv}`;
  const hit = perMemory.get(key);
  if (hit !== undefined) return hit;
  let fn: FewChannelFilterGrad | null = null;
  try {
    const shared = isSharedMemory(memory);
    const fnCode = fewChannelFilterGradFn(ci, nv, relaxedSimdSupported(), 'filterGrad');
    const bytes = encodeModule([fnCode], shared ? { shared: true, minimumPages: 0, maximumPages: 65536 } : { shared: false, minimumPages: 0 });
    fn = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.filterGrad as FewChannelFilterGrad;
  } catch {
    fn = null;
  }
  perMemory.set(key, fn);
  return fn;
}
