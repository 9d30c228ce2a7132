import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { DIRECT_CONV_FLAG, flagOn } from './flags';
import { wasmBackendHeap } from './gemm/backend-heap';
import { relaxedSimdSupported } from './gemm/gemm-kernels';
import { DIRECT_CONV_MAX_CO, directConvVariant, type DirectConv, type DirectConvCall } from './gemm/direct-conv-kernel';
import { activeOwnGemm, heapOffset, type WasmTensorBackend } from './gemm/own-gemm-matmul';
import { standaloneFunction } from './gemm/standalone-function';

/**
 * Which convolutions the direct kernel takes, in terms of the convolution it runs (for the input
 * gradient: input channels = the forward `Co`, output channels = the forward `Ci`): at most
 * `maxCi` input and {@link DIRECT_CONV_MAX_CO} output channels, and, above `wideCo` output
 * channels, fewer than `wideMaxTaps` taps `kh kw Ci`. Measured side by side against the previous
 * paths (`bench/ab-direct-conv.mjs`, 2 threads, batch 64, ms off -> on, each including the
 * output's read-back): `[64,64,64,3] 3x3 -> 10` Conv2D 20.5 -> 11.9, fused bias + relu 15.0 ->
 * 11.8, input gradient 16.8 -> 8.9; `[64,32,32,10] -> 20` 13.1 -> 10.1, 13.6 -> 8.3, 15.0 -> 9.1;
 * `[64,16,16,32] -> 16` 6.1 -> 4.1; `[64,32,32,24] -> 24` 28.7 -> 23.1; `[64,16,16,20] -> 30` input
 * gradient (runs 30 -> 20) 7.9 -> 5.2. With 8 vectors of output channels it loses from 27 taps
 * on: `[64,16,16,20] -> 30` forward 7.4 -> 8.3, `[64,32,32,16] -> 32` 25.1 -> 27.7, `[64,64,64,3]
 * -> 32` 41.9 -> 42.4, but wins with 16: the `[64,32,32,32] 1x1 -> 16` input gradient (runs
 * 16 -> 32) 14.0 -> 8.2.
 */
export const DIRECT_CONV_LIMITS = { maxCi: 32, wideCo: 24, wideMaxTaps: 24 };

/** Whether the direct kernel takes a convolution of `ci` -> `co` channels with a `kh x kw` filter (see {@link DIRECT_CONV_LIMITS}). */
export function directConvTakes(ci: number, co: number, kh: number, kw: number): boolean {
  const { maxCi, wideCo, wideMaxTaps } = DIRECT_CONV_LIMITS;
  if (ci > maxCi || co > DIRECT_CONV_MAX_CO) return false;
  return co <= wideCo || kh * kw * ci < wideMaxTaps;
}

/** A stride-1 convolution's geometry as the kernel sees it (input `[n, h, w, ci]`, output `[n, ho, wo, co]`). */
interface Geometry {
  n: number; h: number; w: number; ci: number; ho: number; wo: number; co: number;
  kh: number; kw: number; pt: number; pl: number;
}

/** Whether `info` is a float32 NHWC stride-1 undilated convolution with something to compute. */
function stride1(info: backend_util.Conv2DInfo, ...ts: TensorInfo[]): boolean {
  if (ts.some((t) => t.dtype !== 'float32') || info.dataFormat !== 'channelsLast') return false;
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return false;
  return info.batchSize * info.inHeight * info.inWidth * info.inChannels * info.outHeight * info.outWidth * info.outChannels > 0;
}

/**
 * Forward `Conv2D` / `FusedConv2D` on the generated direct convolution (see `directConvFn`):
 *
 *   y[n, y, x, o] = act(bias[o] + sum_{i, j, c} xpad[n, y + i, x + j, c] * W[i, j, c, o])
 *
 * with `act` the identity or `max(., 0)` (`relu`) and `bias` a `[Co]` vector or absent; `2 N Ho
 * Wo kh kw Ci Co` FLOPs at most (taps over the padding are skipped). Returns null (the caller
 * takes another path) when the flag `REGSTUDY_WASM_DIRECT_CONV` is off, the convolution is strided,
 * dilated, not float32 NHWC, is not one {@link directConvTakes}, or the backend's
 * heap cannot be found.
 */
export function directConv2d(backend: unknown, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, relu: boolean, info: backend_util.Conv2DInfo): TensorInfo | null {
  if (!flagOn(DIRECT_CONV_FLAG) || !stride1(info, x, filter)) return null;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  if (!directConvTakes(ci, co, info.filterHeight, info.filterWidth)) return null;
  if (bias !== null && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== co)) return null;
  const geo: Geometry = { n, h, w, ci, ho, wo, co, kh: info.filterHeight, kw: info.filterWidth, pt: info.padInfo.top, pl: info.padInfo.left };
  // packed[t, o] = W[t, o] for t = (i, j, c), o < co
  return run(backend, x, geo, relu, (be, packed) => {
    const wv = be.typedArrayFromHeap(filter) as Float32Array;
    const nv4 = Math.ceil(co / 4) * 4;
    const taps = geo.kh * geo.kw * ci;
    for (let t = 0; t < taps; t++) packed.set(wv.subarray(t * co, t * co + co), t * nv4);
    if (bias !== null) packed.set(be.typedArrayFromHeap(bias) as Float32Array, taps * nv4);
  });
}

/**
 * `Conv2DBackpropInput` of a stride-1 convolution as a direct convolution of `dy` with the filter
 * flipped and transposed, `W'[a, b, o, c] = W[kh-1-a, kw-1-b, c, o]`, padded `kh-1-top` /
 * `kw-1-left`:
 *
 *   dx[n, y, x, c] = sum_{a, b, o} dypad[n, y + a, x + b, o] * W'[a, b, o, c]
 *
 * (`W'` packed in JavaScript: `kh kw Ci Co` floats). Null as for {@link directConv2d}, and where
 * that padding would be negative (explicit pads larger than the filter).
 */
export function directConvInputGrad(backend: unknown, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  if (!flagOn(DIRECT_CONV_FLAG) || !stride1(info, dy, filter)) return null;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, padInfo } = info;
  if (!directConvTakes(co, ci, kh, kw)) return null;
  const pt = kh - 1 - padInfo.top;
  const pl = kw - 1 - padInfo.left;
  if (pt < 0 || pl < 0) return null;
  const geo: Geometry = { n, h: ho, w: wo, ci: co, ho: h, wo: w, co: ci, kh, kw, pt, pl };
  return run(backend, dy, geo, false, (be, packed) => {
    const wv = be.typedArrayFromHeap(filter) as Float32Array;
    const nv4 = Math.ceil(ci / 4) * 4;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const src = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
        const dst = (a * kw + b) * co * nv4;
        for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) packed[dst + o * nv4 + c] = wv[src + c * co + o]!;
      }
    }
  });
}

/**
 * Allocates the output `[n, ho, wo, co]` and the packed filter + bias (`kh kw ci 4nv + 4nv`
 * floats, zeroed, filled by `pack`), and runs the `nv` kernel: on the installed GEMM's module
 * (split by image over its threads) when it is active for `backend`, else on a module compiled
 * for the heap alone. Null (nothing allocated) when neither is available.
 */
function run(backend: unknown, input: TensorInfo, g: Geometry, relu: boolean, pack: (be: WasmTensorBackend, packed: Float32Array) => void): TensorInfo | null {
  const nv = Math.ceil(g.co / 4);
  const gemm = activeOwnGemm(backend);
  let fn: ((...call: DirectConvCall) => void) | null = gemm?.directConv ? (...call) => gemm.directConv!(nv, ...call) : null;
  if (fn === null) {
    let memory: WebAssembly.Memory;
    try {
      memory = wasmBackendHeap(backend).memory;
    } catch {
      return null;
    }
    fn = standaloneFunction<DirectConv>(memory, `directConv-${nv}`, () => directConvVariant(nv, relaxedSimdSupported(), 'directConv'));
    if (fn === null) return null;
  }
  const be = backend as WasmTensorBackend;
  const packedFloats = (g.kh * g.kw * g.ci + 1) * nv * 4;
  const packed = be.makeOutput([packedFloats], 'float32');
  const out = be.makeOutput([g.n, g.ho, g.wo, g.co], 'float32');
  try {
    // Views after both allocations (a heap growth detaches earlier ones).
    const view = be.typedArrayFromHeap(packed) as Float32Array;
    view.fill(0);
    pack(be, view);
    fn(heapOffset(be, input), heapOffset(be, packed), heapOffset(be, out), g.n, g.h, g.w, g.ci, g.ho, g.wo, g.co, g.kh, g.kw, g.pt, g.pl, relu ? 1 : 0);
  } catch (e) {
    be.disposeData(out.dataId);
    throw e;
  } finally {
    be.disposeData(packed.dataId);
  }
  return out;
}
