import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { Im2colCall } from '../runtime/gemm';
import { flagOn, SPLIT_K_FILTER_GRAD_FLAG } from '../flags';
import { activeOwnGemm, heapOffset, type HeapGemm, type WasmTensorBackend } from './own-gemm-matmul';

type Needed = HeapGemm & Required<Pick<HeapGemm, 'im2col' | 'col2im'>>;

/**
 * Below these sizes XNNPACK's direct convolution wins (few channels: the im2col copy and narrow
 * GEMM tiles dominate). Measured per kernel, 2 threads: forward `[64,64,64,3] 3x3 -> 10` 4.9 ms
 * XNNPACK vs 14.3 own, `[64,32,32,10] 3x3 -> 20` input gradient 6.4 vs 8.5; ResNet-18's 3x3
 * layers (taps >= 576, Co >= 64) and its 7x7 stem's filter gradient (taps 147: 87 -> 49 ms, one
 * thread) gain. `taps = kh kw Ci`.
 */
export const OWN_CONV_MIN = {
  forward: { taps: 256, outChannels: 32 },
  inputGradient: { taps: 128, outChannels: 32 },
  filterGradient: { taps: 64, outChannels: 1 },
} as const;

function bigEnough(info: backend_util.Conv2DInfo, kind: keyof typeof OWN_CONV_MIN): boolean {
  const min = OWN_CONV_MIN[kind];
  return info.filterHeight * info.filterWidth * info.inChannels >= min.taps && info.outChannels >= min.outChannels;
}

function usable(backend: unknown, info: backend_util.Conv2DInfo, ...ts: TensorInfo[]): Needed | null {
  const g = activeOwnGemm(backend);
  if (g === null || typeof g.im2col !== 'function' || typeof g.col2im !== 'function') return null;
  if (ts.some((t) => t.dtype !== 'float32') || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (info.dataFormat !== 'channelsLast') return null;
  if (info.batchSize * info.outHeight * info.outWidth * info.inChannels * info.outChannels === 0) return null;
  return g as Needed;
}

/** A 1x1, stride-1, unpadded convolution: `x` itself is its im2col matrix. */
function pointwise(info: backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0;
}

/**
 * `maxColsFloats`: the most floats one `cols` buffer may hold (default 16M = 64 MiB): larger
 * batches are done in chunks of images (ResNet-18 at batch 64: at most 9.4M floats, one chunk).
 * Mutable (tests lower it to exercise the chunking).
 */
export const ownConvLimits = { maxColsFloats: 16 * 1024 * 1024 };

/** `im2col` / `col2im` arguments for images `[b0, b0 + nb)` of x (or dx) into a `cols` of their rows. */
function im2colArgs(x: number, info: backend_util.Conv2DInfo, cols: number, b0: number, nb: number): Im2colCall {
  const { inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  return [x + b0 * h * w * ci * 4, nb, h, w, ci, kh, kw, sh, sw, padInfo.top, padInfo.left, ho, wo, cols];
}

/**
 * Runs `body(b0, nb, cols)` over chunks of at most `ownConvLimits.maxColsFloats` / (rows per image *
 * taps) images, with one temporary `cols` buffer (`null` for pointwise convolutions, which need
 * none and run in one chunk).
 */
function inChunks(be: WasmTensorBackend, info: backend_util.Conv2DInfo, body: (b0: number, nb: number, cols: number | null) => void): void {
  const n = info.batchSize;
  if (pointwise(info)) {
    body(0, n, null);
    return;
  }
  const perImage = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels;
  const chunk = Math.max(1, Math.min(n, Math.floor(ownConvLimits.maxColsFloats / perImage)));
  const cols = be.makeOutput([chunk * perImage], 'float32');
  try {
    for (let b0 = 0; b0 < n; b0 += chunk) body(b0, Math.min(chunk, n - b0), heapOffset(be, cols));
  } finally {
    be.disposeData(cols.dataId);
  }
}

/** Most depth slices of a split-K filter gradient (partial buffers: `SPLIT_K_MAX_SLICES - 1`). */
const SPLIT_K_MAX_SLICES = 4;

/**
 * Whether a filter gradient `[m = kh kw Ci, n = Co]` over depth `k = N Ho Wo` splits `k` over the
 * threads ({@link HeapGemm.gemmSplitK}, flag `REGSTUDY_WASM_SPLIT_K_FILTER_GRAD`) instead of cutting
 * C into slabs: small C (`m n <= 16384`) and deep `k` (`k >= 64 max(m, n)`), i.e. the stem's
 * `7x7x3 -> 64` over `64 x 32 x 32` pixels, where the slabs along M each packed the whole `dy`.
 */
function splitsK(g: HeapGemm, m: number, n: number, k: number): boolean {
  return g.gemmSplitK !== undefined && flagOn(SPLIT_K_FILTER_GRAD_FLAG) && m * n <= 16384 && k >= 64 * Math.max(m, n);
}

/**
 * The filter gradient as im2col plus one GEMM on our own SIMD128 GEMM (flag
 * `REGSTUDY_WASM_OWN_GEMM`):
 *
 *   cols = im2col(x)                        [N Ho Wo, kh kw Ci]
 *   dW   = cols^T @ dy                      [kh kw Ci, Co]   (cols read transposed in packing)
 *
 * `2 N Ho Wo kh kw Ci Co` FLOPs, the convolution's own count; the `cols` buffer (kh kw times x)
 * is a temporary, filled a chunk of images at a time (later chunks accumulate into dW). Returns
 * null when the own GEMM is off, the operands do not qualify or the convolution is below
 * {@link OWN_CONV_MIN}.
 */
export function ownGemmConvFilterGrad(backend: unknown, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const g = bigEnough(info, 'filterGradient') ? usable(backend, info, x, dy) : null;
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw, inChannels: ci } = info;
  const taps = kh * kw * ci;
  const out = be.makeOutput([kh, kw, ci, co], 'float32');
  const splitK = splitsK(g, taps, co, info.batchSize * ho * wo);
  const partial = splitK ? be.makeOutput([(SPLIT_K_MAX_SLICES - 1) * taps * co], 'float32') : null;
  try {
    inChunks(be, info, (b0, nb, cols) => {
      if (cols !== null) g.im2col(...im2colArgs(heapOffset(be, x), info, cols, b0, nb));
      const a = { ptr: cols ?? heapOffset(be, x), ld: taps, trans: true };
      const b = { ptr: heapOffset(be, dy) + b0 * ho * wo * co * 4, ld: co };
      const c = { ptr: heapOffset(be, out), ld: co };
      if (partial === null || g.gemmSplitK === undefined) {
        g.gemm(taps, co, nb * ho * wo, a, b, c, b0 > 0);
        return;
      }
      const slices = g.gemmSplitK(taps, co, nb * ho * wo, a, b, c, b0 > 0, heapOffset(be, partial), SPLIT_K_MAX_SLICES);
      const dst = be.typedArrayFromHeap(out) as Float32Array;
      const src = be.typedArrayFromHeap(partial) as Float32Array;
      for (let s = 1; s < slices; s++) {
        const at = (s - 1) * taps * co;
        for (let i = 0; i < taps * co; i++) dst[i] = dst[i]! + src[at + i]!;
      }
    });
  } finally {
    if (partial !== null) be.disposeData(partial.dataId);
  }
  return out;
}

/**
 * The input gradient as one GEMM plus col2im on our own GEMM (flag `REGSTUDY_WASM_OWN_GEMM`):
 *
 *   cols = dy @ W^T                         [N Ho Wo, kh kw Ci]   (W [kh kw Ci, Co] read transposed)
 *   dx   = col2im(cols)                     dx[n, oy sh + ky - pt, ox sw + kx - pl, c] += cols[...]
 *
 * any stride, no zero-dilated dy, no filter transpose; a chunk of images at a time.
 */
export function ownGemmConvInputGrad(backend: unknown, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const g = bigEnough(info, 'inputGradient') ? usable(backend, info, dy, filter) : null;
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const taps = kh * kw * ci;
  const out = be.makeOutput([n, h, w, ci], 'float32');
  inChunks(be, info, (b0, nb, cols) => {
    const dyRows = heapOffset(be, dy) + b0 * ho * wo * co * 4;
    const target = cols ?? heapOffset(be, out);
    g.gemm(nb * ho * wo, taps, co, { ptr: dyRows, ld: co }, { ptr: heapOffset(be, filter), ld: co, trans: true }, { ptr: target, ld: taps });
    if (cols === null) return; // pointwise: dx = dy W^T
    if (b0 === 0) (be.typedArrayFromHeap(out) as Float32Array).fill(0);
    g.col2im(...im2colArgs(heapOffset(be, out), info, cols, b0, nb));
  });
  return out;
}

/**
 * The forward convolution as im2col plus one GEMM on our own GEMM (flag `REGSTUDY_WASM_OWN_GEMM`):
 *
 *   y = im2col(x) @ W                       [N Ho Wo, kh kw Ci] @ [kh kw Ci, Co]
 *
 * (1x1 stride-1 unpadded: `x @ W`, no copy), a chunk of images at a time. No bias / activation
 * (the caller checks).
 */
export function ownGemmConv2d(backend: unknown, x: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const g = bigEnough(info, 'forward') ? usable(backend, info, x, filter) : null;
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const taps = kh * kw * ci;
  const out = be.makeOutput([n, ho, wo, co], 'float32');
  inChunks(be, info, (b0, nb, cols) => {
    if (cols !== null) g.im2col(...im2colArgs(heapOffset(be, x), info, cols, b0, nb));
    const yRows = heapOffset(be, out) + b0 * ho * wo * co * 4;
    g.gemm(nb * ho * wo, co, taps, { ptr: cols ?? heapOffset(be, x), ld: taps }, { ptr: heapOffset(be, filter), ld: co }, { ptr: yRows, ld: co });
  });
  return out;
}
