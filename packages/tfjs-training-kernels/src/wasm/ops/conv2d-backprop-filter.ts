import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { rotatedTransposedFilter } from './conv2d-backprop-input';
import { KernelRunner } from '../runtime/kernel-runner';
import { tinyMapFilterGrad } from './conv2d-backprop-filter-tiny-map';
import { asWasmHeapBackend } from './max-pool-grad';
import { convFilterGradInfo } from '../../conv-filter-grad-info';
import { ownGemmConvFilterGrad } from './own-gemm-conv';
import { ownGemmTinyMapFilterGrad } from './own-gemm-tiny-map';
import { fewChannelFilterGrad } from './few-channel-filter-grad';
import { winogradFilterGrad } from './winograd-conv';

/**
 * Stride-1 gradients with `Co >= SWAP_MIN_CHANNEL_RATIO * Ci` (the 3 -> 10 first layers) take the
 * swapped form, whose packed XNNPACK filter is `x` instead of the larger `dy`.
 */
export const SWAP_MIN_CHANNEL_RATIO = 3;

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
 * by the forward pass are cropped). `x^T` is built by {@link KernelRunner.channelsFirst}.
 *
 * Stride-1 gradients whose `dy` is much larger than `x` (`Co >= 3 Ci`, the 3 -> 10 first layers)
 * swap the roles of `x` and `dy` instead (see `viaSwappedRoles`): XNNPACK re-packs the filter
 * operand on every call, and packing `x` rather than `dy` took New's first-layer gradient from
 * ~35 to ~30 ms and New's training step from 426 to 475 images/s (Initial 297 -> 320; side by
 * side, 2 threads).
 *
 * Ahead of all these, stride-1 gradients with `Ci <= 4`, `Co <= 32` take the generated streaming
 * kernel of `few-channel-filter-grad.ts` (flag `REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD`):
 * `[64,64,64,3]` 3x3 'same' -> 10, 2 threads, 21.2 -> 3.5 ms per call side by side.
 */
export function conv2dBackpropFilter(
  r: KernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  const info = convFilterGradInfo('wasm training kernels', x, attrs);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const expected = [n, ho, wo, info.outChannels];
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== expected[i])) {
    throw new Error(
      `Conv2DBackpropFilter (wasm training kernels): dy has shape [${dy.shape.join(', ')}], but the convolution of x ` +
        `[${x.shape.join(', ')}] with filter [${attrs.filterShape.join(', ')}] gives [${expected.join(', ')}]`,
    );
  }
  const few = fewChannelFilterGrad(r.backend, x, dy, info);
  if (few !== null) return few;
  const winograd = winogradFilterGrad(r.backend, x, dy, info);
  if (winograd !== null) return winograd;
  const ownTiny = ownGemmTinyMapFilterGrad(r.backend, x, dy, info);
  if (ownTiny !== null) return ownTiny;
  const heap = asWasmHeapBackend(r.backend);
  const tiny = heap && tinyMapFilterGrad(r, heap, x, dy, info);
  if (tiny) return tiny;
  const own = ownGemmConvFilterGrad(r.backend, x, dy, info);
  if (own !== null) return own;
  if (sh === 1 && sw === 1 && info.outChannels >= SWAP_MIN_CHANNEL_RATIO * ci) {
    const swapped = viaSwappedRoles(r, x, dy, info);
    if (swapped !== null) return r.keep(swapped);
  }
  const bottom = kh + (ho - 1) * sh - h - padInfo.top;
  const right = kw + (wo - 1) * sw - w - padInfo.left;
  let xc = x;
  if (bottom < 0 || right < 0) {
    xc = r.run('Slice', { x }, { begin: [0, 0, 0, 0], size: [n, h + Math.min(0, bottom), w + Math.min(0, right), ci] });
  }
  const xT = r.channelsFirst(xc); // [Ci, H, W, N]
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

/**
 * The stride-1 filter gradient with the roles of `x` and `dy` swapped, so that XNNPACK packs `x`
 * (`H*W*N*Ci` floats) as the filter instead of `dy` (`Ho*Wo*N*Co`; packing costs ~12 ns a float,
 * most of the first layer's gradient): with `dy^T = [Co, Ho, Wo, N]` as the input, padded by
 * `kh - 1 - top` above and `H + top - Ho` below (likewise for columns), and `x^T = [H, W, N, Ci]`
 * as the filter,
 *
 *   out[o, a, b, c] = sum_{n, y, x} dy[n, y, x, o] * xpad[n, y + kh-1-a, x + kw-1-b, c]
 *                   = dW[kh-1-a, kw-1-b, c, o]
 *
 * so `dW = rot180(out^T)`, a tiny `[kh, kw, Ci, Co]` flip. Returns null when a padding would be
 * negative (explicit paddings larger than the filter).
 */
function viaSwappedRoles(r: KernelRunner, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, padInfo } = info;
  const pads = [kh - 1 - padInfo.top, h + padInfo.top - ho, kw - 1 - padInfo.left, w + padInfo.left - wo];
  if (pads.some((p) => p < 0)) return null;
  const dyT = r.channelsFirst(dy); // [Co, Ho, Wo, N]
  const xT = r.reshape(r.run('Transpose', { x: r.reshape(x, [n, h * w, ci]) }, { perm: [1, 0, 2] }), [h, w, n, ci]);
  const out = r.run('Conv2D', { x: dyT, filter: xT }, {
    strides: [1, 1],
    pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as Record<string, never>); // [Co, kh, kw, Ci], spatially flipped
  return rotatedTransposedFilter(r, r.transpose(out, [1, 2, 0, 3])); // [kh, kw, Co, Ci] -> dW
}
