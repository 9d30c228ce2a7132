import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelRunner } from './kernel-runner';

/** Largest im2col block (in float32 elements, 64 MiB) materialised at once; larger batches are chunked. */
export const IM2COL_MAX_ELEMENTS = 16 * 1024 * 1024;

/**
 * Gradient of a 2-D convolution with respect to its filter, NHWC, dilation 1:
 *
 *   dW[i, j, c, o] = sum_{n, y, x} xpad[n, y*sh + i, x*sw + j, c] * dy[n, y, x, o]
 *
 * computed as one GEMM per batch chunk on XNNPACK: the kh*kw strided views of the padded input
 * are concatenated along channels (im2col, `cols: [P, kh*kw*Ci]`, P = N*Ho*Wo), then
 * `dW^T = dy^T [Co, P] @ cols [P, kh*kw*Ci]` and a final transpose gives `[kh, kw, Ci, Co]`.
 */
export function conv2dBackpropFilter(
  r: KernelRunner,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm training kernels): dataFormat '${attrs.dataFormat}' is not supported, only NHWC`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inChannels: ci, outChannels: co, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const k2 = kh * kw * ci;
  const perImage = ho * wo * k2;
  const chunk = Math.max(1, Math.min(n, Math.floor(IM2COL_MAX_ELEMENTS / Math.max(1, perImage))));

  // Rows/cols of padded input that the strided windows touch.
  const needH = (ho - 1) * sh + kh;
  const needW = (wo - 1) * sw + kw;
  const padBottom = Math.max(0, needH - x.shape[1]! - padInfo.top);
  const padRight = Math.max(0, needW - x.shape[2]! - padInfo.left);

  let acc: TensorInfo | null = null;
  for (let n0 = 0; n0 < n; n0 += chunk) {
    const nb = Math.min(chunk, n - n0);
    const xb = nb === n ? x : r.run('Slice', { x }, { begin: [n0, 0, 0, 0], size: [nb, -1, -1, -1] });
    const dyb = nb === n ? dy : r.run('Slice', { x: dy }, { begin: [n0, 0, 0, 0], size: [nb, -1, -1, -1] });
    const needsPad = padInfo.top > 0 || padInfo.left > 0 || padBottom > 0 || padRight > 0;
    const xpad = needsPad
      ? r.run('PadV2', { x: xb }, {
          paddings: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]],
          constantValue: 0,
        })
      : xb;
    let cols: TensorInfo;
    if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && xpad.shape[1] === ho && xpad.shape[2] === wo) {
      cols = xpad;
    } else {
      const views: TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          views.push(
            r.run('StridedSlice', { x: xpad }, {
              begin: [0, i, j, 0],
              end: [nb, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, ci],
              strides: [1, sh, sw, 1],
              beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
            }),
          );
        }
      }
      cols = views.length === 1 ? views[0]! : r.run('Concat', views as unknown as NamedTensorInfoMap, { axis: 3 });
    }
    const p = nb * ho * wo;
    const cols3 = r.reshape(cols, [1, p, k2]);
    const dyT = r.transpose(r.reshape(dyb, [p, co]), [1, 0]);
    const part = r.matMul(r.reshape(dyT, [1, co, p]), cols3); // [1, Co, K2]
    acc = acc === null ? part : r.run('Add', { a: acc, b: part });
  }
  const dwT = r.reshape(acc!, [co, k2]);
  const dw = r.transpose(dwT, [1, 0]);
  return r.keep(r.reshape(dw, [kh, kw, ci, co]));
}
