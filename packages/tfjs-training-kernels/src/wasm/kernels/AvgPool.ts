import { AvgPool, type KernelConfig, type MaxPoolAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { pool2dWasm } from '../ops/pool';
import { BACKEND, stockKernel } from './stock-kernels';

/** `AvgPool` over windows inside the image: the generated `pool2d` split over the GEMM threads (`ops/pool.ts`, flag `REGSTUDY_WASM_POOL_WASM`). */
export const avgPoolConfig: KernelConfig = {
  kernelName: AvgPool,
  backendName: BACKEND,
  kernelFunc: (args) =>
    pool2dWasm(args.backend, args.inputs.x as TensorInfo, args.attrs as unknown as MaxPoolAttrs, false) ?? stockKernel('AvgPool')(args),
};
