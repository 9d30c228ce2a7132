import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { FEW_CHANNEL_FILTER_GRAD_FLAG, flagOn } from '../flags';
import { wasmBackendHeap } from '../runtime/backend-heap';
import type { FewChannelFilterGradCall } from '../runtime/gemm';
import { relaxedSimdSupported } from '../codegen/gemm-kernels';
import { FEW_CHANNEL_MAX_CI, FEW_CHANNEL_MAX_CO, fewChannelFilterGradFn, type FewChannelFilterGrad } from '../codegen/few-channel-filter-grad-kernel';
import { activeOwnGemm, heapOffset, type WasmTensorBackend } from './own-gemm-matmul';
import { standaloneFunction } from '../codegen/standalone-function';

/**
 * Widest input (channels) taken, in passes of {@link channelChunk} channels, only where a pass
 * holds at least 2 channels (`Co <= 20`): measured faster than the previous paths there
 * (`bench/ab-few-channel-filter-grad.mjs`, 2 threads: `[64,32,32,10]` 3x3 -> 20 14.3 -> 5.9 ms,
 * `[64,32,32,8]` -> 16 5.6 -> 2.1, `[64,16,16,16]` -> 16 2.0 -> 1.3; with `Co` 30-32, one channel
 * per pass, it tied or lost).
 */
export const FEW_CHANNEL_WIDE_MAX_CI = 16;

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
  if (ci > FEW_CHANNEL_WIDE_MAX_CI || co > FEW_CHANNEL_MAX_CO || n * h * w * ci * ho * wo * co * kh * kw === 0) return null;
  let memory: WebAssembly.Memory;
  try {
    memory = wasmBackendHeap(backend).memory;
  } catch {
    return null;
  }
  const nv = Math.ceil(co / 4);
  const chunk = channelChunk(ci, nv);
  // One channel per pass re-reads x and dy too often: [64,32,32,16] 3x3 -> 32 lost (13.7 -> 16.8 ms).
  if (ci > FEW_CHANNEL_MAX_CI && chunk < 2) return null;
  const gemm = activeOwnGemm(backend);
  const threaded = gemm?.fewChannelFilterGrad?.bind(gemm) ?? null;
  const kernels: (FewChannelFilterGrad | null)[] = [];
  for (let c0 = 0; c0 < ci && threaded === null; c0 += chunk) kernels.push(standaloneKernel(memory, Math.min(chunk, ci - c0), nv));
  if (kernels.includes(null)) return null;
  const be = backend as WasmTensorBackend;
  if (heapOffset(be, dy) + n * ho * wo * co * 4 + 16 > memory.buffer.byteLength) return null;
  const taps = kh * kw;
  const slots = threaded === null ? 1 : MAX_SLICES;
  const acc = be.makeOutput([slots * taps * ci * nv * 4], 'float32');
  const out = be.makeOutput([kh, kw, ci, co], 'float32');
  try {
    (be.typedArrayFromHeap(acc) as Float32Array).fill(0);
    // Channels [c0, c0 + cb) accumulate into `slots` blocks of `taps cb 4 nv` floats from `base`.
    const chunks: { c0: number; cb: number; base: number; used: number }[] = [];
    for (let c0 = 0, base = 0; c0 < ci; c0 += chunk) {
      const cb = Math.min(chunk, ci - c0);
      const block = taps * cb * nv * 4;
      const call: FewChannelFilterGradCall = [heapOffset(be, x) + c0 * 4, heapOffset(be, dy), n, h, w, ho, wo, co, kh, kw, padInfo.top, padInfo.left, heapOffset(be, acc) + base * 4, ci * 4];
      let used = 1;
      if (threaded !== null) used = threaded(cb, nv, call, block * 4, slots);
      else kernels[chunks.length]!(...call);
      chunks.push({ c0, cb, base, used });
      base += slots * block;
    }
    // Views after the kernels and both allocations (a heap growth detaches earlier views).
    const src = be.typedArrayFromHeap(acc) as Float32Array;
    const dst = be.typedArrayFromHeap(out) as Float32Array;
    for (const { c0, cb, base, used } of chunks) {
      const block = taps * cb * nv * 4;
      for (let t = 0; t < taps; t++) {
        for (let c = 0; c < cb; c++) {
          const from = base + (t * cb + c) * nv * 4;
          const to = (t * ci + c0 + c) * co;
          for (let o = 0; o < co; o++) {
            let sum = 0;
            for (let s = 0; s < used; s++) sum += src[from + s * block + o]!;
            dst[to + o] = sum;
          }
        }
      }
    }
  } finally {
    be.disposeData(acc.dataId);
  }
  return out;
}

/**
 * Input channels per kernel pass: all of them up to {@link FEW_CHANNEL_MAX_CI}; wider inputs
 * (up to {@link FEW_CHANNEL_WIDE_MAX_CI}) in passes of as many channels as keep the `cb nv`
 * accumulators, `nv` dy vectors and one splat within 16 v128 registers (x86-64 has 16 xmm).
 */
export function channelChunk(ci: number, nv: number): number {
  if (ci <= FEW_CHANNEL_MAX_CI) return ci;
  return Math.max(1, Math.min(FEW_CHANNEL_MAX_CI, Math.floor((15 - nv) / nv)));
}

/**
 * The `(ci, nv)` kernel compiled alone for `memory` (shared or not), cached per memory: the path
 * without our GEMM installed. Null where the engine refuses to compile it synchronously (e.g. a
 * browser main thread).
 */
function standaloneKernel(memory: WebAssembly.Memory, ci: number, nv: number): FewChannelFilterGrad | null {
  return standaloneFunction<FewChannelFilterGrad>(memory, `filterGrad-${ci}x${nv}`, () => fewChannelFilterGradFn(ci, nv, relaxedSimdSupported(), 'filterGrad'));
}
