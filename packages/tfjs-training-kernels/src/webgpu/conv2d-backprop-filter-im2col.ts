import type { Conv2DBackpropFilterAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../wasm/runtime/kernel-runner';
import { convFilterGradInfo } from '../conv-filter-grad-info';

/** Upper bound, in floats, on the split-K partial products `[S, kh*kw*Ci, Co]` (64 MiB). */
const MAX_PARTIAL_FLOATS = 1 << 24;
/** Each split-K chunk reduces over at least this many rows. */
const MIN_ROWS_PER_CHUNK = 256;

/**
 * Number of split-K chunks for a reduction over `rows` rows into a `cols`-float output: the largest
 * power of two that divides `rows`, leaves at least {@link MIN_ROWS_PER_CHUNK} rows per chunk and
 * keeps `chunks * cols` within {@link MAX_PARTIAL_FLOATS}; at least 1.
 */
export function splitKChunks(rows: number, cols: number): number {
  let s = 1;
  while (rows % (2 * s) === 0 && rows / (2 * s) >= MIN_ROWS_PER_CHUNK && 2 * s * cols <= MAX_PARTIAL_FLOATS) s *= 2;
  return s;
}

/**
 * Gradient of a 2-D convolution with respect to its filter (NHWC, dilation 1) as im2col and one
 * batched matrix product, for GPU backends:
 *
 *   P[m, (i*kw + j)*Ci + c] = xpad[n, y*sh + i, x*sw + j, c]   with m = (n*Ho + y)*Wo + x
 *   dW = P^T @ dy2d,   dy2d = dy reshaped to [N*Ho*Wo, Co],   reshaped to [kh, kw, Ci, Co]
 *
 * The reduction runs over M = N*Ho*Wo rows (262,144 for a first layer at batch 64 on 64x64
 * images) into a small output, which a GPU parallelises badly (tfjs-backend-webgpu 4.22's own
 * kernel loops over M per output element: 74 of the Initial model's 82 ms step on an H200). So
 * the rows are split into S chunks ({@link splitKChunks}): `[S, M/S, K]^T @ [S, M/S, Co]` gives S
 * partial products that a `Sum` over the first axis adds up.
 *
 * `chunks` overrides S (tests, A/B runs).
 */
export function conv2dBackpropFilterIm2col(
  r: KernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
  chunks?: number,
): TensorInfo {
  const info = convFilterGradInfo('webgpu training kernels', x, attrs);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  // Rows/columns the forward pass read past the input (padding); negative values are unused input.
  const bottom = Math.max(0, kh + (ho - 1) * sh - h - padInfo.top);
  const right = Math.max(0, kw + (wo - 1) * sw - w - padInfo.left);
  const xpad =
    padInfo.top > 0 || padInfo.left > 0 || bottom > 0 || right > 0
      ? r.run('PadV2', { x }, { paddings: [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]], constantValue: 0 })
      : x;
  const taps: TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const end = [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, ci];
      taps.push(
        sh === 1 && sw === 1
          ? r.run('Slice', { x: xpad }, { begin: [0, i, j, 0], size: [n, ho, wo, ci] })
          : r.run('StridedSlice', { x: xpad }, {
              begin: [0, i, j, 0],
              end,
              strides: [1, sh, sw, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            }),
      );
    }
  }
  const patches = taps.length === 1 ? taps[0]! : r.run('Concat', taps as unknown as NamedTensorInfoMap, { axis: 3 });
  const rows = n * ho * wo;
  const k = kh * kw * ci;
  const s = chunks ?? splitKChunks(rows, k * co);
  const partial = r.run(
    'BatchMatMul',
    { a: r.reshape(patches, [s, rows / s, k]), b: r.reshape(dy, [s, rows / s, co]) },
    { transposeA: true, transposeB: false },
  ); // [S, K, Co]
  const dw2d = s === 1 ? partial : r.run('Sum', { x: partial }, { axis: [0], keepDims: false });
  return r.keep(r.reshape(dw2d, [kh, kw, ci, co]));
}
