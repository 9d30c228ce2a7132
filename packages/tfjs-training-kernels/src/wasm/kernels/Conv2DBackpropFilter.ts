import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter } from '../ops/conv2d-backprop-filter';
import { BACKEND, withRunner } from './stock-kernels';

/**
 * `Conv2DBackpropFilter`, missing in tfjs-backend-wasm: one XNNPACK convolution with batch and
 * channels swapped; on maps with no more pixels than filter taps, one GEMM over the batch and a
 * routing pass; few-channel, split-K and Winograd forms where they qualify (`ops/conv2d-backprop-filter.ts`).
 */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: ({ inputs, backend, attrs }) =>
    withRunner(backend, (r) =>
      conv2dBackpropFilter(r, inputs.x as TensorInfo, inputs.dy as TensorInfo, attrs as unknown as Conv2DBackpropFilterAttrs),
    ),
};
