import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { flagOn, OWN_GEMM_TINY_MAP_FLAG } from '../flags';
import { activeOwnGemm, heapOffset, type HeapGemm, type WasmTensorBackend } from './own-gemm-matmul';

type Conv2DInfo = backend_util.Conv2DInfo;

/**
 * One "tap run" of a convolution: output pixel `q` (row-major index into `Ho x Wo`) meets the
 * `len` input pixels `p, p + 1, ..., p + len - 1` (one input row, consecutive columns) through
 * the `len` consecutive taps `tap, ..., tap + len - 1` of one filter row. For such a run the
 * activations `x[n, p .. p+len-1, :]` are one contiguous `[N, len Ci]` block of the `[N, H W Ci]`
 * matrix and the taps `W[tap .. tap+len-1]` one contiguous `[len Ci, Co]` block of the filter.
 */
export interface TapRun {
  q: number;
  p: number;
  tap: number;
  len: number;
}

/**
 * The tap runs of a convolution (any stride and padding, dilation 1): for each output pixel
 * `(qr, qc)` and filter row `i` with input row `pr = qr sh + i - top` inside the map, the taps
 * `j` with `pc = qc sw + j - left` in `[0, W)`. Together the runs cover every (input pixel, output
 * pixel) pair the convolution multiplies, each once, and no padding.
 */
export function tapRuns(info: Conv2DInfo): TapRun[] {
  const { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const runs: TapRun[] = [];
  for (let qr = 0; qr < ho; qr++) {
    for (let qc = 0; qc < wo; qc++) {
      const c0 = qc * sw - padInfo.left; // input column of tap j = 0
      const j0 = Math.max(0, -c0);
      const j1 = Math.min(kw - 1, w - 1 - c0);
      if (j0 > j1) continue;
      for (let i = 0; i < kh; i++) {
        const pr = qr * sh + i - padInfo.top;
        if (pr < 0 || pr >= h) continue;
        runs.push({ q: qr * wo + qc, p: pr * w + c0 + j0, tap: i * kw + j0, len: j1 - j0 + 1 });
      }
    }
  }
  return runs;
}

/**
 * Maps this path takes: at most `maxPixelsPerTap * kh * kw` input pixels. The default 2 takes
 * ResNet-18's 2x2x512 stage, its 4x4x256 stage (16 <= 18 pixels for 3x3 filters) and the 3x3/2
 * transition between them; 8x8 maps take im2col + GEMM. Measured side by side (2 threads, batch
 * 64, kernel medians, swapped XNNPACK / matMul forms or im2col vs this): `[64,2,2,512]` 3x3 ->
 * 512 forward 28.5 -> 18.6 ms, input gradient 24.4 -> 17.8, filter gradient 40.7 -> 22.3;
 * `[64,4,4,256]` -> 256 forward ~17.6 -> 13.9, input 15.9 -> 12.1, filter 17.8 -> 13.9;
 * `[64,4,4,256]` 3x3/2 -> 512 forward 16.1 -> 13.7, input 38.5 -> 14.1, filter 18.0 -> 16.4.
 * Mutable for measurements.
 */
export const ownTinyMapLimits = { maxPixelsPerTap: 2 };

function usable(backend: unknown, info: Conv2DInfo, ...ts: TensorInfo[]): HeapGemm | null {
  if (!flagOn(OWN_GEMM_TINY_MAP_FLAG)) return null;
  if (info.inHeight * info.inWidth > ownTinyMapLimits.maxPixelsPerTap * info.filterHeight * info.filterWidth) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.dataFormat !== 'channelsLast') return null;
  if (ts.some((t) => t.dtype !== 'float32')) return null;
  if (info.batchSize * info.outHeight * info.outWidth * info.inChannels * info.outChannels === 0) return null;
  return activeOwnGemm(backend);
}

function zeroed(be: WasmTensorBackend, shape: number[]): TensorInfo {
  const out = be.makeOutput(shape, 'float32');
  (be.typedArrayFromHeap(out) as Float32Array).fill(0);
  return out;
}

/**
 * Forward convolution on a tiny map as one accumulating GEMM per tap run (no im2col, no padding
 * products, no transposes), with `X = [N, H W Ci]`, `Y = [N, Ho Wo Co]`:
 *
 *   Y[:, q Co .. (q+1) Co] += X[:, p Ci .. (p+len) Ci] @ W[tap .. tap+len]     ([N, len Ci] @ [len Ci, Co])
 *
 * `2 N Ci Co` FLOPs per (input pixel, output pixel) pair (2x2, 3x3 'same': 16 pairs vs 36 taps x
 * pixels of im2col). Null when the flag `REGSTUDY_WASM_OWN_GEMM_TINY_MAP` or the own GEMM is off,
 * or the map is larger than {@link ownTinyMapLimits}.
 */
export function ownGemmTinyMapConv2d(backend: unknown, x: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const g = usable(backend, info, x, filter);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const out = zeroed(be, [n, ho, wo, co]);
  const [xp, wp, yp] = [heapOffset(be, x), heapOffset(be, filter), heapOffset(be, out)];
  for (const run of tapRuns(info)) {
    g.gemm(
      n, co, run.len * ci,
      { ptr: xp + run.p * ci * 4, ld: h * w * ci },
      { ptr: wp + run.tap * ci * co * 4, ld: co },
      { ptr: yp + run.q * co * 4, ld: ho * wo * co },
      true,
    );
  }
  return out;
}

/**
 * Input gradient on a tiny map, one accumulating GEMM per tap run with the filter block read
 * transposed by the GEMM's packing:
 *
 *   dX[:, p Ci .. (p+len) Ci] += DY[:, q Co .. (q+1) Co] @ W[tap .. tap+len]^T   ([N, Co] @ [Co, len Ci])
 */
export function ownGemmTinyMapInputGrad(backend: unknown, dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const g = usable(backend, info, dy, filter);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const out = zeroed(be, [n, h, w, ci]);
  const [dyp, wp, xp] = [heapOffset(be, dy), heapOffset(be, filter), heapOffset(be, out)];
  for (const run of tapRuns(info)) {
    g.gemm(
      n, run.len * ci, co,
      { ptr: dyp + run.q * co * 4, ld: ho * wo * co },
      { ptr: wp + run.tap * ci * co * 4, ld: co, trans: true },
      { ptr: xp + run.p * ci * 4, ld: h * w * ci },
      true,
    );
  }
  return out;
}

/**
 * Filter gradient on a tiny map, one accumulating GEMM per tap run over the batch (K = N), the
 * activations read transposed by the GEMM's packing (no explicit transpose, no routing pass):
 *
 *   dW[tap .. tap+len] += X[:, p Ci .. (p+len) Ci]^T @ DY[:, q Co .. (q+1) Co]    ([len Ci, N] @ [N, Co])
 *
 * Taps that no run reaches (padding only) are 0.
 */
export function ownGemmTinyMapFilterGrad(backend: unknown, x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const g = usable(backend, info, x, dy);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const taps = info.filterHeight * info.filterWidth;
  const out = be.makeOutput([info.filterHeight, info.filterWidth, ci, co], 'float32');
  const [xp, dyp, wp] = [heapOffset(be, x), heapOffset(be, dy), heapOffset(be, out)];
  const block = ci * co;
  // dW is not zeroed up front (2.36M floats for 3x3x512x512): a run whose taps are all still
  // unwritten overwrites them (accumulate false); otherwise its unwritten taps are zeroed first.
  const written = new Uint8Array(taps);
  const zeroTaps = (from: number, to: number): void => {
    const dst = be.typedArrayFromHeap(out) as Float32Array; // a fresh view: the heap may have grown
    for (let t = from; t < to; t++) if (written[t] === 0) dst.fill(0, t * block, (t + 1) * block);
  };
  for (const run of tapRuns(info)) {
    const fresh = written.subarray(run.tap, run.tap + run.len).every((v) => v === 0);
    if (!fresh) zeroTaps(run.tap, run.tap + run.len);
    written.fill(1, run.tap, run.tap + run.len);
    g.gemm(
      run.len * ci, co, n,
      { ptr: xp + run.p * ci * 4, ld: h * w * ci, trans: true },
      { ptr: dyp + run.q * co * 4, ld: ho * wo * co },
      { ptr: wp + run.tap * block * 4, ld: co },
      !fresh,
    );
  }
  zeroTaps(0, taps);
  return out;
}
