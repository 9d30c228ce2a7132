import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Geometry of a `Conv2DBackpropFilter` call (NHWC, dilation 1), as tfjs computes it for the forward
 * convolution. `label` names our kernel set in the error for any other data format.
 */
export function convFilterGradInfo(label: string, x: TensorInfo, attrs: Conv2DBackpropFilterAttrs): backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (${label}): dataFormat '${attrs.dataFormat}' is not supported, only NHWC`);
  }
  return backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}
