import type { KernelConfig } from '@tensorflow/tfjs-core';
import { CONV_BIAS_RELU_KERNEL } from '../../conv-bias-relu-kernel-name';
import { convBiasReluKernel } from '../ops/conv-bias-relu';
import { BACKEND } from './stock-kernels';

/**
 * `RegstudyConv2DBiasRelu` (ours, with its gradient registered by `registerWasmTrainingKernels`):
 * the fused training convolution that `lazyConvGradients` runs for layers with a bias and relu (`ops/conv-bias-relu.ts`).
 */
export const convBiasReluConfig: KernelConfig = {
  kernelName: CONV_BIAS_RELU_KERNEL,
  backendName: BACKEND,
  kernelFunc: convBiasReluKernel,
};
