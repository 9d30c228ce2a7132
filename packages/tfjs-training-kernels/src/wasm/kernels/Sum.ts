import { Sum, type KernelConfig, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { leadingAxesReduce } from '../ops/reduce';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/** `Sum` over leading axes (bias and batch-norm reductions): one XNNPACK average pooling (`ops/reduce.ts`). */
export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: BACKEND,
  kernelFunc: (args) =>
    withRunner(args.backend, (r) => leadingAxesReduce(r, args.inputs.x as TensorInfo, args.attrs as unknown as SumAttrs, 'sum')) ??
    stockKernel('Sum')(args),
};
