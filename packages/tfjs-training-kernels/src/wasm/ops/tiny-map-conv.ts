import type { backend_util, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';

type Conv2DInfo = backend_util.Conv2DInfo;

/**
 * Whether a stride-1 convolution runs faster with the roles of image and filter swapped
 * ({@link tinyMapConv2d}, {@link tinyMapConv2dBackpropInput}): when the map has fewer pixels than
 * the filter has taps (`H * W < kh * kw`: ResNet-18's 2x2 maps with 3x3 filters), XNNPACK's own
 * convolution multiplies mostly padding (`kh * kw` taps per output pixel, `H * W` or fewer real)
 * and re-packs the whole filter on every call (~12 ns a float; 2.36M floats for 3x3x512x512),
 * while the swapped form does only real multiply-adds and packs the activations instead, as long
 * as they are smaller than the filter (forward: `N * H * W < kh * kw * Co`; input gradient:
 * `N * Ho * Wo < kh * kw * Ci`). Measured side by side (2 threads, batch 64, fresh filters as in
 * training) on `[64,2,2,512]` with 3x3x512x512: forward 35.7 -> 18.0 ms, input gradient 62 -> 22.5
 * ms; ResNet-18 training 29.3 -> 33.0 images/s. Strided input gradients on fewer dy pixels than
 * taps (the 4x4x256 -> 2x2x512 stage transition, 3x3/2) use it with a dilated `dy` instead of
 * convolving the zero-dilated `dy`: 97.5 -> 40.9 ms.
 */
export function prefersSwappedTinyMap(info: Conv2DInfo, pass: 'forward' | 'inputGradient'): boolean {
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, inHeight, inWidth, outHeight, outWidth } = info;
  if (dilationHeight !== 1 || dilationWidth !== 1 || info.dataFormat !== 'channelsLast') return false;
  const strided = strideHeight !== 1 || strideWidth !== 1;
  const taps = info.filterHeight * info.filterWidth;
  if (pass === 'forward') {
    // real products per output pixel: H*W (swapped) vs kh*kw (XNNPACK); packed: x vs the filter
    return !strided && inHeight * inWidth < taps && info.batchSize * inHeight * inWidth < taps * info.outChannels;
  }
  // per dx pixel: Ho*Wo dy pixels (swapped) vs kh*kw taps (stride 1, or the zero-dilated path
  // that strided gradients on fewer than PHASE_SPLIT_MIN_PIXELS dy pixels take); packed: dy vs W
  const outPixels = outHeight * outWidth;
  if (strided && outPixels >= TINY_STRIDED_MAX_PIXELS) return false;
  return outPixels < taps && info.batchSize * outPixels < taps * info.inChannels;
}

/** Strided input gradients with at least this many dy pixels take the phase split instead. */
const TINY_STRIDED_MAX_PIXELS = 16;

/** `[R, C] -> [C, R]` of `x` viewed as a matrix with `rows` rows. */
function transpose2d(r: KernelRunner, x: TensorInfo, rows: number): TensorInfo {
  const size = x.shape.reduce((a, b) => a * b, 1);
  return r.transpose(r.reshape(x, [rows, size / rows]), [1, 0]);
}

/**
 * From `out [A, P, B]` (A channels, P pixels in reversed row-major order, B batch) returns
 * `y [B, P, A]` with `y[b, p, a] = out[a, P-1-p, b]`: one 2-D transpose to `[P, B, A]`, then the P
 * pixel slices `[1, B, A]` stacked in reverse along axis 1 by one `Concat`.
 */
function unreversePixels(r: KernelRunner, out: TensorInfo, a: number, p: number, b: number): TensorInfo {
  const pba = r.reshape(transpose2d(r, out, a), [p, b, a]);
  const pixels: TensorInfo[] = [];
  for (let k = p - 1; k >= 0; k--) {
    pixels.push(r.reshape(r.run('Slice', { x: pba }, { begin: [k, 0, 0], size: [1, b, a] }), [b, 1, a]));
  }
  return pixels.length === 1 ? pixels[0]! : r.run('Concat', pixels as unknown as NamedTensorInfoMap, { axis: 1 });
}

/** One XNNPACK stride-1 convolution with explicit paddings `[top, bottom, left, right]`. */
function conv(r: KernelRunner, x: TensorInfo, filter: TensorInfo, pads: number[], dilations = [1, 1]): TensorInfo {
  return r.run('Conv2D', { x, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
    dataFormat: 'NHWC',
    dilations,
    dimRoundingMode: undefined,
  } as unknown as Record<string, never>);
}

/**
 * Stride-1 forward convolution `y = conv2d(x, W)` (NHWC, filter `[kh, kw, Ci, Co]`) with the filter
 * as XNNPACK's image and the activations as its filter:
 *
 *   out[o, a, b, n] = sum_{u, v, c} W^T[o, a + u - P, b + v - Q, c] * x[n, u, v, c]
 *                   = y[n, Ho-1-a, Wo-1-b, o]
 *
 * with `W^T = [Co, kh, kw, Ci]` (one 2-D transpose), `x^T = [H, W, Ci, N]` (one 2-D transpose) as
 * the filter, paddings `P = Ho-1-top` above and `H-kh+top` below (likewise for columns); the
 * pixels of `out` come reversed and are put back by {@link unreversePixels}. Only real products
 * are computed (`N*Ho*Wo*H*W*Ci*Co` multiply-adds, vs `N*Ho*Wo*kh*kw*Ci*Co`). Returns null when a
 * padding would be negative.
 */
export function tinyMapConv2d(r: KernelRunner, x: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, padInfo } = info;
  const pads = [ho - 1 - padInfo.top, h - kh + padInfo.top, wo - 1 - padInfo.left, w - kw + padInfo.left];
  if (pads.some((p) => p < 0)) return null;
  const wT = r.reshape(transpose2d(r, filter, kh * kw * ci), [co, kh, kw, ci]);
  const xT = r.reshape(transpose2d(r, x, n), [h, w, ci, n]);
  const out = conv(r, wT, xT, pads); // [Co, Ho, Wo, N], pixels reversed
  return r.reshape(unreversePixels(r, out, co, ho * wo, n), [n, ho, wo, co]);
}

/**
 * Input gradient `dx[n, u, v, c] = sum_{p, q, o} dy[n, p, q, o] W[u - s*p + top, v - s*q + left, c, o]`
 * (stride s) in the same swapped form: XNNPACK's image is the spatially flipped, channel-major
 * filter `Wf[c, i, j, o] = W[kh-1-i, kw-1-j, c, o]` (the taps, sliced and stacked in reverse by one
 * `Concat` along axis 1: no transpose of the filter), its filter is `dy^T = [Ho, Wo, Co, N]`
 * dilated by the stride:
 *
 *   out[c, a, b, n] = sum_{p, q, o} Wf[c, a + s*p - P, b + s*q - Q, o] * dy[n, p, q, o]
 *                   = dx[n, H-1-a, W-1-b, c]
 *
 * with paddings `P = H-kh+top` above and `s*(Ho-1)-top` below (likewise for columns). Returns
 * null when a padding would be negative.
 */
export function tinyMapConv2dBackpropInput(r: KernelRunner, dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const pads = [h - kh + padInfo.top, sh * (ho - 1) - padInfo.top, w - kw + padInfo.left, sw * (wo - 1) - padInfo.left];
  if (pads.some((p) => p < 0)) return null;
  const taps = kh * kw;
  const w3 = r.reshape(filter, [taps, ci, co]);
  const flipped: TensorInfo[] = [];
  for (let t = taps - 1; t >= 0; t--) {
    flipped.push(r.reshape(r.run('Slice', { x: w3 }, { begin: [t, 0, 0], size: [1, ci, co] }), [ci, 1, co]));
  }
  const wf = r.reshape(
    flipped.length === 1 ? flipped[0]! : r.run('Concat', flipped as unknown as NamedTensorInfoMap, { axis: 1 }),
    [ci, kh, kw, co],
  );
  const dyT = r.reshape(transpose2d(r, dy, n), [ho, wo, co, n]);
  const out = conv(r, wf, dyT, pads, [sh, sw]); // [Ci, H, W, N], pixels reversed
  return r.reshape(unreversePixels(r, out, ci, h * w, n), [n, h, w, ci]);
}
