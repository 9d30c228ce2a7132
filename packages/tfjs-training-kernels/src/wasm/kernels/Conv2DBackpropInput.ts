import { Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dBackpropInput } from '../ops/conv2d-backprop-input';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/**
 * `Conv2DBackpropInput` (stock: a naive C++ loop): a stride-1 convolution of the padded `dy` with
 * the rotated filter (XNNPACK or the generated direct convolution); strided ones by one GEMM
 * `dy W^T` and a col2im scatter-add (`ops/conv2d-backprop-input.ts`). Falls back to the stock kernel.
 */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: BACKEND,
  kernelFunc: (args) =>
    withRunner(args.backend, (r) =>
      conv2dBackpropInput(r, args.inputs.dy as TensorInfo, args.inputs.filter as TensorInfo, args.attrs as unknown as Conv2DBackpropInputAttrs),
    ) ?? stockKernel('Conv2DBackpropInput')(args),
};
