import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelRunner } from './kernel-runner';

/**
 * Gradient of a 2-D convolution with respect to its filter, NHWC, dilation 1:
 *
 *   dW[i, j, c, o] = sum_{n, y, x} xpad[n, y*sh + i, x*sw + j, c] * dy[n, y, x, o]
 *
 * This is itself a convolution with batch and channels swapped: take `x^T = [Ci, H, W, N]` as the
 * input (Ci images with N channels) and `dy^T = [Ho, Wo, N, Co]` as a filter of size Ho x Wo,
 * dilated by the stride and with the forward padding; the output `[Ci, kh, kw, Co]` transposed to
 * `[kh, kw, Ci, Co]` is dW. One XNNPACK convolution, no im2col buffer (the stock wasm `Concat`
 * needed for im2col is a slow JS loop). Bottom/right padding is chosen so that the output is
 * exactly kh x kw: `bottom = kh + (Ho - 1) * sh - H - top` (negative: trailing input rows unused
 * by the forward pass are cropped).
 */
export function conv2dBackpropFilter(
  r: KernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(
      `Conv2DBackpropFilter (wasm training kernels): dataFormat '${attrs.dataFormat}' is not supported, only NHWC`,
    );
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const bottom = kh + (ho - 1) * sh - h - padInfo.top;
  const right = kw + (wo - 1) * sw - w - padInfo.left;
  let xc = x;
  if (bottom < 0 || right < 0) {
    xc = r.run('Slice', { x }, { begin: [0, 0, 0, 0], size: [n, h + Math.min(0, bottom), w + Math.min(0, right), ci] });
  }
  const xT = r.transpose(xc, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = r.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
  const out = r.run('Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [padInfo.top, Math.max(0, bottom)], [padInfo.left, Math.max(0, right)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [sh, sw],
    dimRoundingMode: undefined,
  } as unknown as Record<string, never>); // [Ci, kh, kw, Co]
  return r.keep(r.transpose(out, [1, 2, 0, 3]));
}
