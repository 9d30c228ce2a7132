import { FusedBatchNorm, type FusedBatchNormAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { fusedBatchNorm } from '../ops/batch-norm';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/**
 * `FusedBatchNorm` (stock: a per-element loop): three XNNPACK broadcasting kernels, the last pass
 * generated SIMD128 where the channels allow (`ops/batch-norm.ts`). Its gradient is replaced while the
 * wasm backend is active by `installLeanBatchNormGrad` (`ops/batch-norm-grad.ts`).
 */
export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: BACKEND,
  kernelFunc: (args) =>
    withRunner(args.backend, (r) =>
      fusedBatchNorm(r, args.inputs as Record<string, TensorInfo | null | undefined>, args.attrs as unknown as FusedBatchNormAttrs),
    ) ?? stockKernel('FusedBatchNorm')(args),
};
