import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { flagOn, WINOGRAD_FLAG } from '../flags';
import type { GemmOperand, GemmProduct } from '../runtime/gemm';
import type { WinogradTileSize } from '../codegen/winograd-kernels';
import { activeOwnGemm, heapOffset, type HeapGemm, type WasmTensorBackend } from './own-gemm-matmul';
import { wasmBackendHeap } from '../runtime/backend-heap';

type WinogradGemm = HeapGemm & Required<Pick<HeapGemm, 'gemmBatch' | 'winogradTiles' | 'winogradFilter'>>;

/**
 * Where and how Winograd is used (see {@link winogradConv2d}): at least `channels` input and
 * output channels (the GEMMs' depth and width) and maps of at least `pixels` (`H W`), with output
 * tiles of `tile` x `tile` (F(2x2, 3x3) or F(4x4, 3x3)). Measured side by side with the previous
 * paths (`bench/ab-winograd.mjs`, 2 threads, batch 64; forward / input / filter gradient ms):
 *
 * | map x channels | previous          | F(2x2)           | F(4x4)         |
 * |----------------|-------------------|------------------|----------------|
 * | 16x16 x 64     | 21.4 / 20.9 / 19.4 | 13.4 / 12.6 / 12.0 | 10.4 / 9.6 / 8.3 |
 * | 8x8 x 128      | 17.6 / 17.0 / 16.9 | 8.8 / 9.6 / 9.7  | 7.7 / 7.1 / 6.3 |
 * | 4x4 x 256      | 12.9 / 12.1 / 15.8 | 7.9 / 8.4 / 9.8  | 7.0 / 7.5 / 8.0 |
 * | 2x2 x 512      | 8.3 / 8.1 / 14.0  | 10.0 / 9.7 / 14.0 | 23.0 / 23.1 / 30.4 |
 * | 32x32 x 32     | 27.1 / 24.7 / 23.9 | 21.0 / 20.1 / 17.1 | 17.5 / 15.8 / 12.3 |
 *
 * hence F(4x4) on maps of 16 pixels or more; 2x2 maps keep the tiny-map paths (which skip the
 * padding taps). Mutable for tests and measurements.
 */
export const winogradLimits: { channels: number; pixels: number; tile: WinogradTileSize; interleaved: boolean; maxFloats: number } = {
  channels: 16,
  pixels: 16,
  tile: 4,
  /**
   * Transformed tiles stored as one `[P, c]` block per tile (true: the transforms write and read
   * sequentially, the GEMMs use a leading dimension of `P c`) or as `P` separate `[tiles, c]`
   * matrices (false, the default: measured 0-7% faster per call, side by side, F(4x4), every
   * direction and ResNet-18 shape).
   */
  interleaved: false,
  /** Most floats of the temporary per-position matrices (both operands) at once: larger batches go in chunks of images. */
  maxFloats: 16 * 1024 * 1024,
};

/** Whether {@link winogradConv2d} (and its input gradient) would run this convolution on `backend`. */
export function winogradTakes(backend: unknown, info: backend_util.Conv2DInfo, ...ts: TensorInfo[]): boolean {
  return qualifies(backend, info, false, ...ts) !== null;
}

const roundUp4 = (c: number): number => Math.ceil(c / 4) * 4;

/**
 * The installed GEMM when Winograd takes this convolution. With `padded` (the filter gradient,
 * which writes no image), channel counts that are not multiples of 4 qualify too: the reading
 * transforms zero the lanes past each pixel's channels, which may read up to `4 (roundUp4(c) - c)
 * + 16` bytes past the last pixel, so those must lie inside the heap.
 */
function qualifies(backend: unknown, info: backend_util.Conv2DInfo, padded: boolean, ...ts: TensorInfo[]): WinogradGemm | null {
  if (!flagOn(WINOGRAD_FLAG)) return null;
  const g = activeOwnGemm(backend);
  if (g === null || g.gemmBatch === undefined || g.winogradTiles === undefined || g.winogradFilter === undefined) return null;
  if (ts.some((t) => t.dtype !== 'float32') || info.dataFormat !== 'channelsLast') return null;
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co, padInfo } = info;
  if (info.filterHeight !== 3 || info.filterWidth !== 3 || info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || padInfo.top !== 1 || padInfo.left !== 1) return null;
  if (info.outHeight !== h || info.outWidth !== w || info.batchSize === 0) return null;
  if (Math.min(ci, co) < winogradLimits.channels || h * w < winogradLimits.pixels) return null;
  if (ci % 4 !== 0 || co % 4 !== 0) {
    if (!padded) return null;
    const be = backend as WasmTensorBackend;
    const bytes = wasmBackendHeap(backend).memory.buffer.byteLength;
    const inside = (t: TensorInfo): boolean => {
      const c = t.shape[t.shape.length - 1]!;
      return heapOffset(be, t) + 4 * (sizeOf(t.shape) + roundUp4(c) - c) + 16 <= bytes;
    };
    if (!ts.every(inside)) return null;
  }
  return g as WinogradGemm;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The tiling of one call: tile side `m`, `P = (m + 2)^2` positions, `th x tw` tiles per image. */
interface Tiling {
  m: WinogradTileSize;
  positions: number;
  th: number;
  tw: number;
}

function tiling(info: backend_util.Conv2DInfo): Tiling {
  const m = winogradLimits.tile;
  return { m, positions: (m + 2) ** 2, th: Math.ceil(info.inHeight / m), tw: Math.ceil(info.inWidth / m) };
}

interface Chunk {
  /** First image and image count of the chunk. */
  b0: number;
  nb: number;
  /** Tiles in the chunk (`nb th tw`). */
  tiles: number;
}

/**
 * Runs `body` over chunks of images with two temporary buffers of `P` per-position matrices
 * (`[P][tiles, cA]` and `[P][tiles, cB]`, byte offsets) and a pad buffer (`max(cA, cB)` zeros,
 * then as many floats of scratch) that lives for the whole call.
 */
function inChunks(be: WasmTensorBackend, info: backend_util.Conv2DInfo, t: Tiling, cA: number, cB: number, body: (chunk: Chunk, a: number, b: number, zeros: number, scratch: number) => void): void {
  const n = info.batchSize;
  const perImage = t.th * t.tw;
  const chunk = Math.max(1, Math.min(n, Math.floor(winogradLimits.maxFloats / (t.positions * perImage * (cA + cB)))));
  const c = Math.max(cA, cB);
  const a = be.makeOutput([t.positions * chunk * perImage * cA], 'float32');
  const b = be.makeOutput([t.positions * chunk * perImage * cB], 'float32');
  const pad = be.makeOutput([2 * c], 'float32');
  try {
    (be.typedArrayFromHeap(pad) as Float32Array).fill(0, 0, c);
    const zeros = heapOffset(be, pad);
    for (let b0 = 0; b0 < n; b0 += chunk) {
      const nb = Math.min(chunk, n - b0);
      body({ b0, nb, tiles: nb * perImage }, heapOffset(be, a), heapOffset(be, b), zeros, zeros + c * 4);
    }
  } finally {
    for (const x of [a, b, pad]) be.disposeData(x.dataId);
  }
}

/** `U = G g G^T` (or of `rot180(g)` with `flip`) of a `[3, 3, Ci, Co]` filter into a temporary `[P, Ci, Co]`. */
function transformedFilter(g: WinogradGemm, be: WasmTensorBackend, t: Tiling, filter: TensorInfo, ci: number, co: number, flip: boolean): TensorInfo {
  const u = be.makeOutput([t.positions * ci * co], 'float32');
  g.winogradFilter(flip ? `wgFilterFlip${t.m}` : `wgFilter${t.m}`, heapOffset(be, filter), ci * co, heapOffset(be, u), ci * co * 4);
  return u;
}

/**
 * Where the transformed tiles of `c` channels live: position `xi` of tile `t` at `t ts + xi ms`
 * bytes (for the transforms), i.e. matrix `xi` at `xi * step` with leading dimension `ld` floats
 * (for the GEMMs).
 */
function layout(t: Tiling, c: number, tiles: number): { ms: number; ts: number; step: number; ld: number } {
  return winogradLimits.interleaved
    ? { ms: 4 * c, ts: 4 * c * t.positions, step: 4 * c, ld: c * t.positions }
    : { ms: 4 * c * tiles, ts: 4 * c, step: 4 * c * tiles, ld: c };
}

interface Operand {
  ptr: number;
  ld: number;
  /** Bytes from one position's matrix to the next. */
  step: number;
  trans?: boolean;
}

/** The `P` products `C[xi] = op(A[xi]) @ op(B[xi])`, operand `xi` at `ptr + xi * step`. */
function products(t: Tiling, m: number, n: number, k: number, a: Operand, b: Operand, c: Operand, accumulate: boolean): GemmProduct[] {
  const at = (o: Operand, xi: number): GemmOperand => ({ ptr: o.ptr + xi * o.step, ld: o.ld, trans: o.trans ?? false });
  return Array.from({ length: t.positions }, (_, xi) => ({ m, n, k, accumulate, a: at(a, xi), b: at(b, xi), c: at(c, xi) }));
}

/**
 * One convolution of `src` (`[N, H, W, cIn]`) with a transformed filter into `out` (`[N, H, W,
 * cOut]`): input tiles, `P` GEMMs `[tiles, cIn] @ op(U[xi])`, output tiles.
 */
function convolve(g: WinogradGemm, be: WasmTensorBackend, info: backend_util.Conv2DInfo, t: Tiling, src: TensorInfo, u: TensorInfo, out: TensorInfo, cIn: number, cOut: number, uTransposed: boolean): void {
  const { inHeight: h, inWidth: w } = info;
  inChunks(be, info, t, cIn, cOut, ({ b0, nb, tiles }, v, m, zeros, scratch) => {
    const [lin, lout] = [layout(t, cIn, tiles), layout(t, cOut, tiles)];
    g.winogradTiles(`wgInput${t.m}`, heapOffset(be, src) + b0 * h * w * cIn * 4, nb, h, w, cIn, t.th, t.tw, v, lin.ms, zeros, lin.ts, cIn);
    const b: Operand = { ptr: heapOffset(be, u), ld: uTransposed ? cIn : cOut, step: cIn * cOut * 4, trans: uTransposed };
    g.gemmBatch(products(t, tiles, cOut, cIn, { ptr: v, ld: lin.ld, step: lin.step }, b, { ptr: m, ld: lout.ld, step: lout.step }, false));
    g.winogradTiles(`wgOutput${t.m}`, m, nb, h, w, cOut, t.th, t.tw, heapOffset(be, out) + b0 * h * w * cOut * 4, lout.ms, scratch, lout.ts, cOut);
  });
}

/**
 * A 3x3 'same' convolution (stride 1, padding 1, NHWC) of `x` with `filter` (`[3, 3, Ci, Co]`) as
 * Winograd F(m x m, 3 x 3) (Lavin & Gray 2016; `winograd-kernels.ts`), `m = winogradLimits.tile`,
 * `P = (m + 2)^2`:
 *
 *   V[xi] = (B^T d B)[xi]  per (m+2)^2 input tile d   [tiles, Ci]   (P matrices)
 *   U[xi] = (G g G^T)[xi]                             [Ci, Co]
 *   M[xi] = V[xi] @ U[xi]                             [tiles, Co]   (P GEMMs on our GEMM)
 *   y     = A^T M A         per m x m output tile
 *
 * `2 P tiles Ci Co` GEMM FLOPs instead of `2 * 9 m^2 tiles Ci Co` (2.25x fewer for m = 2, 4x for
 * m = 4), plus the transforms. Returns null (the caller takes another path) when the flag
 * `REGSTUDY_WASM_WINOGRAD` is off, the own GEMM is not active, or the convolution does not qualify.
 */
export function winogradConv2d(backend: unknown, x: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  return sameConvolution(backend, x, filter, info, false);
}

/**
 * The convolution of `src` with `filter` (`flipped`: with `rot180(W)^T`, the input gradient, `src`
 * being `dy`) as {@link winogradConv2d} describes; null when it does not qualify.
 */
function sameConvolution(backend: unknown, src: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, flipped: boolean): TensorInfo | null {
  const g = qualifies(backend, info, false, src, filter);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const [cIn, cOut] = flipped ? [co, ci] : [ci, co];
  const t = tiling(info);
  const out = be.makeOutput([n, h, w, cOut], 'float32');
  const u = transformedFilter(g, be, t, filter, ci, co, flipped);
  try {
    convolve(g, be, info, t, src, u, out, cIn, cOut, flipped);
  } finally {
    be.disposeData(u.dataId);
  }
  return out;
}

/**
 * The input gradient of a convolution {@link winogradConv2d} takes: the same Winograd convolution
 * of `dy` with `rot180(W)^T`, i.e. `U` of the flipped filter with each `[Ci, Co]` matrix read
 * transposed by the GEMMs:
 *
 *   M'[xi] = V_dy[xi] @ U_flip[xi]^T                  [tiles, Ci]
 *   dx     = A^T M' A
 */
export function winogradInputGrad(backend: unknown, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  return sameConvolution(backend, dy, filter, info, true);
}

/**
 * The filter gradient of a convolution {@link winogradConv2d} takes, as the adjoint of its
 * forward form (the gradient of `y = A^T [U (.) V] A` with respect to `U`, then through
 * `U = G g G^T`):
 *
 *   V[xi]  = (B^T d B)[xi]     per input tile          [tiles, Ci]
 *   D[xi]  = (A e A^T)[xi]     per m x m dy tile e     [tiles, Co]
 *   dU[xi] = V[xi]^T @ D[xi]                           [Ci, Co]   (summed over all tiles)
 *   dW     = G^T dU G
 */
export function winogradFilterGrad(backend: unknown, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const g = qualifies(backend, info, true, x, dy);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  // channels padded to whole vectors (zero lanes), dropped again at the end
  const [cx, cy] = [roundUp4(ci), roundUp4(co)];
  const t = tiling(info);
  const out = be.makeOutput([3, 3, ci, co], 'float32');
  const du = be.makeOutput([t.positions * cx * cy], 'float32');
  const dw = cx === ci && cy === co ? out : be.makeOutput([9 * cx * cy], 'float32');
  try {
    inChunks(be, info, t, cx, cy, ({ b0, nb, tiles }, v, d, zeros) => {
      const [lx, ly] = [layout(t, cx, tiles), layout(t, cy, tiles)];
      g.winogradTiles(`wgInput${t.m}`, heapOffset(be, x) + b0 * h * w * ci * 4, nb, h, w, cx, t.th, t.tw, v, lx.ms, zeros, lx.ts, ci);
      g.winogradTiles(`wgDy${t.m}`, heapOffset(be, dy) + b0 * h * w * co * 4, nb, h, w, cy, t.th, t.tw, d, ly.ms, zeros, ly.ts, co);
      g.gemmBatch(products(t, cx, cy, tiles, { ptr: v, ld: lx.ld, step: lx.step, trans: true }, { ptr: d, ld: ly.ld, step: ly.step }, { ptr: heapOffset(be, du), ld: cy, step: cx * cy * 4 }, b0 > 0));
    });
    g.winogradFilter(`wgFilterGrad${t.m}`, heapOffset(be, du), cx * cy, heapOffset(be, dw), cx * cy * 4);
    if (dw !== out) {
      const [src, dst] = [be.typedArrayFromHeap(dw) as Float32Array, be.typedArrayFromHeap(out) as Float32Array];
      for (let tap = 0; tap < 9; tap++) {
        for (let i = 0; i < ci; i++) dst.set(src.subarray((tap * cx + i) * cy, (tap * cx + i) * cy + co), (tap * ci + i) * co);
      }
    }
  } finally {
    be.disposeData(du.dataId);
    if (dw !== out) be.disposeData(dw.dataId);
  }
  return out;
}
