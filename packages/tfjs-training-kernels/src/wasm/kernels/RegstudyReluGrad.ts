import type { KernelConfig } from '@tensorflow/tfjs-core';
import { RELU_GRAD_KERNEL, reluGradKernel } from '../ops/relu-grad';
import { BACKEND } from './stock-kernels';

/**
 * `RegstudyReluGrad` (ours): the `Relu` gradient in one pass instead of `Step` and `Multiply`; made
 * the registered `Relu` gradient while the wasm backend is active by `installFusedReluGrad` (`ops/relu-grad.ts`).
 */
export const reluGradConfig: KernelConfig = {
  kernelName: RELU_GRAD_KERNEL,
  backendName: BACKEND,
  kernelFunc: reluGradKernel,
};
