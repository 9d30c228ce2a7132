import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { DIRECT_CONV_FLAG, flagOn } from '../flags';
import { wasmBackendHeap } from '../runtime/backend-heap';
import { relaxedSimdSupported } from '../codegen/gemm-kernels';
import { DIRECT_CONV_MAX_CO, DIRECT_CONV_PASS_MAX_NV, directConvVariant, type DirectConv, type DirectConvCall } from '../codegen/direct-conv-kernel';
import { activeOwnGemm, heapOffset, type WasmTensorBackend } from './own-gemm-matmul';
import { standaloneFunction } from '../codegen/standalone-function';

/**
 * Most input channels of a convolution the direct kernel takes (for the input gradient, the
 * forward `Co`); output channels up to {@link DIRECT_CONV_MAX_CO}, in passes of up to 16 (see
 * {@link outputPasses}). Measured side by side against the previous paths
 * (`bench/ab-direct-conv.mjs`, 2 threads, batch 64, load ~2.9, ms off -> on, each including the
 * output's read-back): `[64,64,64,3] 3x3 -> 10` Conv2D 16.6 -> 12.4, fused bias + relu 14.8 ->
 * 11.9, input gradient 17.0 -> 8.9; `[64,32,32,10] -> 20` 13.8 -> 10.0, 13.5 -> 10.0, 14.1 -> 8.3;
 * `[64,16,16,20] -> 30` 7.7 -> 6.7, 8.3 -> 6.0, 8.1 -> 6.9; `[64,32,32,16] -> 32` 24.7 -> 19.2,
 * 26.5 -> 19.9, 22.8 -> 15.0; `[64,16,16,32] -> 32` 11.9 -> 7.7; `[64,64,64,3] -> 32` 40.1 -> 35.8;
 * `[64,32,32,32] 1x1 -> 16` 6.9 -> 5.5; `[64,32,32,8] 5x5 -> 16` 18.4 -> 12.4 (input gradient
 * 16.1 -> 15.3, the narrowest margin).
 */
export const DIRECT_CONV_MAX_CI = 32;

/** Whether the direct kernel takes a convolution of `ci` -> `co` channels (see {@link DIRECT_CONV_MAX_CI}). */
export function directConvTakes(ci: number, co: number): boolean {
  return ci <= DIRECT_CONV_MAX_CI && co <= DIRECT_CONV_MAX_CO;
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
 *   y[n, y, x, o] = act((sum_{i, j, c} xpad[n, y + i, x + j, c] * W[i, j, c, o]) + bias[o])   (the bias added last)
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
  if (!directConvTakes(ci, co)) return null;
  if (bias !== null && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== co)) return null;
  const geo: Geometry = { n, h, w, ci, ho, wo, co, kh: info.filterHeight, kw: info.filterWidth, pt: info.padInfo.top, pl: info.padInfo.left };
  return run(backend, x, geo, relu, (be) => ({
    w: be.typedArrayFromHeap(filter) as Float32Array,
    bias: bias === null ? null : (be.typedArrayFromHeap(bias) as Float32Array),
  }));
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
  if (!directConvTakes(co, ci)) return null;
  const pt = kh - 1 - padInfo.top;
  const pl = kw - 1 - padInfo.left;
  if (pt < 0 || pl < 0) return null;
  const geo: Geometry = { n, h: ho, w: wo, ci: co, ho: h, wo: w, co: ci, kh, kw, pt, pl };
  return run(backend, dy, geo, false, (be) => {
    // W'[a, b, o, c] = W[kh-1-a, kw-1-b, c, o]: taps (a, b, o) of the run, its output channels c
    const wv = be.typedArrayFromHeap(filter) as Float32Array;
    const flipped = new Float32Array(wv.length);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const src = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
        const dst = (a * kw + b) * co * ci;
        for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) flipped[dst + o * ci + c] = wv[src + c * co + o]!;
      }
    }
    return { w: flipped, bias: null };
  });
}

/** Most output channels one kernel pass computes (4 vectors: wider outputs run in passes, see {@link outputPasses}). */
export const DIRECT_CONV_PASS_MAX_CO = 4 * DIRECT_CONV_PASS_MAX_NV;

/**
 * The output channel ranges `[o0, o0 + count)` the kernel runs as separate passes: one up to
 * {@link DIRECT_CONV_PASS_MAX_CO} channels, else `ceil(co / 16)` near-equal passes of whole
 * vectors (20 -> 12 + 8, 30 -> 16 + 14). Wider register blocks spill under V8: one-thread sweep,
 * GFLOP/s simd128 / relaxed, `nv` 5 P1 25.5 / 29.8 and `nv` 8 12.1 / 18.4 against `nv` 2-4 at
 * 28.5-33.2 / 38.5-41.9 (see `DIRECT_CONV_BLOCKING`); `x` is re-read per pass (from cache).
 */
export function outputPasses(co: number): [number, number][] {
  const count = Math.ceil(co / DIRECT_CONV_PASS_MAX_CO);
  const per = Math.ceil(co / count / 4) * 4;
  const out: [number, number][] = [];
  for (let o0 = 0; o0 < co; o0 += per) out.push([o0, Math.min(per, co - o0)]);
  return out;
}

/** A logical filter `w[t, o]` (`t < kh kw ci`, `o < co`, row-major) and optional bias `[co]`. */
interface Logical {
  w: Float32Array;
  bias: Float32Array | null;
}

/**
 * Allocates the output `[n, ho, wo, co]` and, per output pass (see {@link outputPasses}), the
 * packed filter + bias (`kh kw ci 4nv + 4nv` floats, zero-padded), filled from `logical()`
 * (called after the allocations, so heap views it takes stay valid), and runs the passes: on the
 * installed GEMM's module (split by image over its threads) when it is active for `backend`,
 * else on modules compiled for the heap alone. Null (nothing allocated) when neither is available.
 */
function run(backend: unknown, input: TensorInfo, g: Geometry, relu: boolean, logical: (be: WasmTensorBackend) => Logical): TensorInfo | null {
  const passes = outputPasses(g.co);
  const gemm = activeOwnGemm(backend);
  const fns: ((...call: DirectConvCall) => void)[] = [];
  for (const [, count] of passes) {
    const nv = Math.ceil(count / 4);
    if (gemm?.directConv) {
      fns.push((...call) => gemm.directConv!(nv, ...call));
      continue;
    }
    let memory: WebAssembly.Memory;
    try {
      memory = wasmBackendHeap(backend).memory;
    } catch {
      return null;
    }
    const fn = standaloneFunction<DirectConv>(memory, `directConv-${nv}`, () => directConvVariant(nv, relaxedSimdSupported(), 'directConv'));
    if (fn === null) return null;
    fns.push(fn);
  }
  const be = backend as WasmTensorBackend;
  const taps = g.kh * g.kw * g.ci;
  const sizes = passes.map(([, count]) => (taps + 1) * Math.ceil(count / 4) * 4);
  const packed = be.makeOutput([sizes.reduce((a, b) => a + b, 0)], 'float32');
  const out = be.makeOutput([g.n, g.ho, g.wo, g.co], 'float32');
  try {
    // Views after both allocations (a heap growth detaches earlier ones).
    const view = be.typedArrayFromHeap(packed) as Float32Array;
    view.fill(0);
    const { w, bias } = logical(be);
    let at = 0;
    passes.forEach(([o0, count], p) => {
      const nv4 = Math.ceil(count / 4) * 4;
      for (let t = 0; t < taps; t++) view.set(w.subarray(t * g.co + o0, t * g.co + o0 + count), at + t * nv4);
      if (bias !== null) view.set(bias.subarray(o0, o0 + count), at + taps * nv4);
      at += sizes[p]!;
    });
    const inAt = heapOffset(be, input);
    const outAt = heapOffset(be, out);
    at = heapOffset(be, packed);
    passes.forEach(([o0, count], p) => {
      fns[p]!(inAt, at, outAt + o0 * 4, g.n, g.h, g.w, g.ci, g.ho, g.wo, count, g.kh, g.kw, g.pt, g.pl, relu ? 1 : 0, g.co);
      at += sizes[p]! * 4;
    });
  } catch (e) {
    be.disposeData(out.dataId);
    throw e;
  } finally {
    be.disposeData(packed.dataId);
  }
  return out;
}
