import { AvgPoolGrad, type AvgPoolGradAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { avgPoolGrad } from '../ops/avg-pool-grad';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/** `AvgPoolGrad` when the windows tile the input (window = stride, no padding): two broadcasting kernels (`ops/avg-pool-grad.ts`). */
export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: BACKEND,
  kernelFunc: (args) =>
    withRunner(args.backend, (r) =>
      avgPoolGrad(r, args.inputs.dy as TensorInfo, args.inputs.input as TensorInfo, args.attrs as unknown as AvgPoolGradAttrs),
    ) ?? stockKernel('AvgPoolGrad')(args),
};
