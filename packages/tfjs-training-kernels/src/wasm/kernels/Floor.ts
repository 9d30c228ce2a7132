import { Floor, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { unaryMap } from '../ops/channel-ops';
import { BACKEND, stockKernel } from './stock-kernels';

/** `Floor` (dropout's mask): a generated SIMD128 pass split over the GEMM threads (`ops/channel-ops.ts`, flag `REGSTUDY_WASM_CHANNEL_KERNELS`). */
export const floorConfig: KernelConfig = {
  kernelName: Floor,
  backendName: BACKEND,
  kernelFunc: (args) => unaryMap(args.backend, 'floor', args.inputs.x as TensorInfo) ?? stockKernel('Floor')(args),
};
