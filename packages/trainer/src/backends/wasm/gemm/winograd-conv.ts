import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { flagOn, WINOGRAD_FLAG } from '../flags';
import type { GemmProduct } from './gemm';
import { activeOwnGemm, heapOffset, type HeapGemm, type WasmTensorBackend } from './own-gemm-matmul';

type WinogradGemm = HeapGemm & Required<Pick<HeapGemm, 'gemmBatch' | 'winogradTiles' | 'winogradFilter'>>;

/**
 * Where Winograd F(2x2, 3x3) is used (see {@link winogradConv2d}): at least `channels` input and
 * output channels (the GEMMs' depth and width) and maps of at least `pixels` (`H W`; 2x2 maps keep
 * the tiny-map paths, which skip the padding taps). Measured side by side against the previous
 * paths (`bench/ab-winograd.mjs`, 2 threads, batch 64, every direction): 1.6-1.75x on
 * `[16,16,64]`, 1.8-1.9x on `[8,8,128]`, 1.8-1.9x on `[4,4,256]` (against the tiny-map paths),
 * 1.35-1.55x on `[32,32,32]`. Mutable for tests and measurements.
 */
export const winogradLimits = {
  channels: 16,
  pixels: 16,
  /** Most floats of the temporary per-position matrices (both operands) at once: larger batches go in chunks of images. */
  maxFloats: 16 * 1024 * 1024,
};

/**
 * The transformed-position permutation of the flipped filter: `U'[(a, b)] = U[(P a, P b)]^T` for
 * `g' = rot180(g)^T`, since `G J = P G` with `J` the 3x3 reversal and `P` swapping rows 0 and 3.
 */
const FLIP = [3, 1, 2, 0];

function qualifies(backend: unknown, info: backend_util.Conv2DInfo, ...ts: TensorInfo[]): WinogradGemm | null {
  if (!flagOn(WINOGRAD_FLAG)) return null;
  const g = activeOwnGemm(backend);
  if (g === null || g.gemmBatch === undefined || g.winogradTiles === undefined || g.winogradFilter === undefined) return null;
  if (ts.some((t) => t.dtype !== 'float32') || info.dataFormat !== 'channelsLast') return null;
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co, padInfo } = info;
  if (info.filterHeight !== 3 || info.filterWidth !== 3 || info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || padInfo.top !== 1 || padInfo.left !== 1) return null;
  if (info.outHeight !== h || info.outWidth !== w || info.batchSize === 0) return null;
  if (ci % 4 !== 0 || co % 4 !== 0 || Math.min(ci, co) < winogradLimits.channels || h * w < winogradLimits.pixels) return null;
  return g as WinogradGemm;
}

interface Chunk {
  /** First image and image count of the chunk. */
  b0: number;
  nb: number;
  /** Tiles in the chunk (`nb ceil(H/2) ceil(W/2)`). */
  tiles: number;
}

/**
 * Runs `body` over chunks of images with two temporary buffers of 16 per-position matrices
 * (`[16][tiles, cA]` and `[16][tiles, cB]`, byte offsets) and a pad buffer (`max(cA, cB)` zeros,
 * then as many floats of scratch) that lives for the whole call.
 */
function inChunks(be: WasmTensorBackend, info: backend_util.Conv2DInfo, cA: number, cB: number, body: (chunk: Chunk, a: number, b: number, zeros: number, scratch: number) => void): void {
  const n = info.batchSize;
  const perImage = Math.ceil(info.inHeight / 2) * Math.ceil(info.inWidth / 2);
  const chunk = Math.max(1, Math.min(n, Math.floor(winogradLimits.maxFloats / (16 * perImage * (cA + cB)))));
  const c = Math.max(cA, cB);
  const a = be.makeOutput([16 * chunk * perImage * cA], 'float32');
  const b = be.makeOutput([16 * chunk * perImage * cB], 'float32');
  const pad = be.makeOutput([2 * c], 'float32');
  try {
    (be.typedArrayFromHeap(pad) as Float32Array).fill(0, 0, c);
    const zeros = heapOffset(be, pad);
    for (let b0 = 0; b0 < n; b0 += chunk) {
      const nb = Math.min(chunk, n - b0);
      body({ b0, nb, tiles: nb * perImage }, heapOffset(be, a), heapOffset(be, b), zeros, zeros + c * 4);
    }
  } finally {
    for (const t of [a, b, pad]) be.disposeData(t.dataId);
  }
}

/** `U = G g G^T` of a `[3, 3, Ci, Co]` filter into a temporary `[16, Ci, Co]`. */
function transformedFilter(g: WinogradGemm, be: WasmTensorBackend, filter: TensorInfo, ci: number, co: number): TensorInfo {
  const u = be.makeOutput([16 * ci * co], 'float32');
  g.winogradFilter(false, heapOffset(be, filter), ci * co, heapOffset(be, u));
  return u;
}

/**
 * The 16 products `C[xi] = op(A[xi]) @ op(B[xi])`, operand `xi` at `ptr + xi * step` bytes.
 */
function products(m: number, n: number, k: number, a: { ptr: number; ld: number; step: number; trans?: boolean }, b: { ptr: number; ld: number; step: number; trans?: boolean; order?: readonly number[] }, c: { ptr: number; ld: number; step: number }, accumulate: boolean): GemmProduct[] {
  return Array.from({ length: 16 }, (_, xi) => {
    const bi = b.order ? b.order[xi]! : xi;
    return {
      m, n, k, accumulate,
      a: { ptr: a.ptr + xi * a.step, ld: a.ld, trans: a.trans ?? false },
      b: { ptr: b.ptr + bi * b.step, ld: b.ld, trans: b.trans ?? false },
      c: { ptr: c.ptr + xi * c.step, ld: c.ld },
    };
  });
}

/** `xi = (a, b)` of the flipped filter reads `U[(P a, P b)]` (see {@link FLIP}). */
const FLIPPED_ORDER = Array.from({ length: 16 }, (_, xi) => FLIP[xi >> 2]! * 4 + FLIP[xi & 3]!);

/**
 * A 3x3 'same' convolution (stride 1, padding 1, NHWC) of `x` with `filter` (`[3, 3, Ci, Co]`) as
 * Winograd F(2x2, 3x3) (Lavin & Gray 2016; `winograd-kernels.ts`):
 *
 *   V[xi] = (B^T d B)[xi]  per 4x4 input tile d     [tiles, Ci]   (16 matrices)
 *   U[xi] = (G g G^T)[xi]                           [Ci, Co]
 *   M[xi] = V[xi] @ U[xi]                           [tiles, Co]   (16 GEMMs on our GEMM)
 *   y     = A^T M A         per 2x2 output tile
 *
 * `2 * 16 tiles Ci Co` GEMM FLOPs instead of `2 * 36 tiles Ci Co` (a 2.25x cut), plus the
 * transforms (adds only). Returns null (the caller takes another path) when the flag
 * `REGSTUDY_WASM_WINOGRAD` is off, the own GEMM is not active, or the convolution does not qualify.
 */
export function winogradConv2d(backend: unknown, x: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const g = qualifies(backend, info, x, filter);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const [th, tw] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  const out = be.makeOutput([n, h, w, co], 'float32');
  const u = transformedFilter(g, be, filter, ci, co);
  try {
    inChunks(be, info, ci, co, ({ b0, nb, tiles }, v, m, zeros, scratch) => {
      g.winogradTiles('wgInput', heapOffset(be, x) + b0 * h * w * ci * 4, nb, h, w, ci, th, tw, v, tiles * ci * 4, zeros);
      g.gemmBatch(products(tiles, co, ci, { ptr: v, ld: ci, step: tiles * ci * 4 }, { ptr: heapOffset(be, u), ld: co, step: ci * co * 4 }, { ptr: m, ld: co, step: tiles * co * 4 }, false));
      g.winogradTiles('wgOutput', m, nb, h, w, co, th, tw, heapOffset(be, out) + b0 * h * w * co * 4, tiles * co * 4, scratch);
    });
  } finally {
    be.disposeData(u.dataId);
  }
  return out;
}

/**
 * The input gradient of a convolution {@link winogradConv2d} takes: the same Winograd convolution
 * of `dy` with `rot180(W)^T`, whose transform is `U` with its positions permuted and each
 * `[Ci, Co]` matrix read transposed ({@link FLIP}):
 *
 *   M'[xi] = V_dy[xi] @ U[P xi]^T                   [tiles, Ci]
 *   dx     = A^T M' A
 */
export function winogradInputGrad(backend: unknown, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const g = qualifies(backend, info, dy, filter);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const [th, tw] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  const out = be.makeOutput([n, h, w, ci], 'float32');
  const u = transformedFilter(g, be, filter, ci, co);
  try {
    inChunks(be, info, co, ci, ({ b0, nb, tiles }, v, m, zeros, scratch) => {
      g.winogradTiles('wgInput', heapOffset(be, dy) + b0 * h * w * co * 4, nb, h, w, co, th, tw, v, tiles * co * 4, zeros);
      g.gemmBatch(products(tiles, ci, co, { ptr: v, ld: co, step: tiles * co * 4 }, { ptr: heapOffset(be, u), ld: co, step: ci * co * 4, trans: true, order: FLIPPED_ORDER }, { ptr: m, ld: ci, step: tiles * ci * 4 }, false));
      g.winogradTiles('wgOutput', m, nb, h, w, ci, th, tw, heapOffset(be, out) + b0 * h * w * ci * 4, tiles * ci * 4, scratch);
    });
  } finally {
    be.disposeData(u.dataId);
  }
  return out;
}

/**
 * The filter gradient of a convolution {@link winogradConv2d} takes, as the adjoint of its
 * forward form (the gradient of `y = A^T [U (.) V] A` with respect to `U`, then through
 * `U = G g G^T`):
 *
 *   V[xi]  = (B^T d B)[xi]     per 4x4 input tile    [tiles, Ci]
 *   D[xi]  = (A e A^T)[xi]     per 2x2 dy tile e     [tiles, Co]
 *   dU[xi] = V[xi]^T @ D[xi]                         [Ci, Co]   (summed over all tiles)
 *   dW     = G^T dU G
 */
export function winogradFilterGrad(backend: unknown, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const g = qualifies(backend, info, x, dy);
  if (g === null) return null;
  const be = backend as WasmTensorBackend;
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const [th, tw] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  const out = be.makeOutput([3, 3, ci, co], 'float32');
  const du = be.makeOutput([16 * ci * co], 'float32');
  try {
    inChunks(be, info, ci, co, ({ b0, nb, tiles }, v, d, zeros) => {
      g.winogradTiles('wgInput', heapOffset(be, x) + b0 * h * w * ci * 4, nb, h, w, ci, th, tw, v, tiles * ci * 4, zeros);
      g.winogradTiles('wgDy', heapOffset(be, dy) + b0 * h * w * co * 4, nb, h, w, co, th, tw, d, tiles * co * 4, zeros);
      g.gemmBatch(products(ci, co, tiles, { ptr: v, ld: ci, step: tiles * ci * 4, trans: true }, { ptr: d, ld: co, step: tiles * co * 4 }, { ptr: heapOffset(be, du), ld: co, step: ci * co * 4 }, b0 > 0));
    });
    g.winogradFilter(true, heapOffset(be, du), ci * co, heapOffset(be, out));
  } finally {
    be.disposeData(du.dataId);
  }
  return out;
}
