import { Square, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { unaryMap } from '../ops/channel-ops';
import { BACKEND, stockKernel } from './stock-kernels';

/** `Square`: a generated SIMD128 pass split over the GEMM threads (`ops/channel-ops.ts`, flag `REGSTUDY_WASM_CHANNEL_KERNELS`). */
export const squareConfig: KernelConfig = {
  kernelName: Square,
  backendName: BACKEND,
  kernelFunc: (args) => unaryMap(args.backend, 'square', args.inputs.x as TensorInfo) ?? stockKernel('Square')(args),
};
