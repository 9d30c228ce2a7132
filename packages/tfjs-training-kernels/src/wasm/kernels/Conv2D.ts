import { Conv2D, type Conv2DAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { forwardConv2d } from '../ops/forward-conv2d';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/**
 * `Conv2D`: on maps smaller than the filter (ResNet-18's 2x2 maps), a convolution with image and filter
 * swapped; stride 1 with at most 32 input and output channels, the
 * generated SIMD128 direct convolution; Winograd and our GEMM where they qualify (`ops/forward-conv2d.ts`).
 */
export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: BACKEND,
  kernelFunc: (args) =>
    withRunner(args.backend, (r) =>
      forwardConv2d(r, args.inputs as Record<string, TensorInfo | undefined>, args.attrs as unknown as Conv2DAttrs & { activation?: string }),
    ) ?? stockKernel('Conv2D')(args),
};
