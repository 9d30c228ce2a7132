import { Relu, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { unaryMap } from '../ops/channel-ops';
import { BACKEND, stockKernel } from './stock-kernels';

/** `Relu`: a generated SIMD128 pass split over the GEMM threads (`ops/channel-ops.ts`, flag `REGSTUDY_WASM_CHANNEL_KERNELS`). */
export const reluConfig: KernelConfig = {
  kernelName: Relu,
  backendName: BACKEND,
  kernelFunc: (args) => unaryMap(args.backend, 'relu', args.inputs.x as TensorInfo) ?? stockKernel('Relu')(args),
};
