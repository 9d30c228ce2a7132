// Main entry of @regstudy/tfjs-training-kernels (tfjs-core only, no backend import): re-exports only.
export { registerWasmTrainingKernels } from './wasm/register-training-kernels';
export type { WasmTrainingKernelsInfo } from './wasm/register-training-kernels';
export { IM2COL_MIN_ROWS_FLAG, registerWebGpuTrainingKernels } from './webgpu/register-webgpu-training-kernels';
export type { WebGpuTrainingKernelsInfo } from './webgpu/register-webgpu-training-kernels';
export { SgdMomentumOptimizer } from './sgd-momentum-optimizer';
export type { FoldedTerms } from './sgd-momentum-optimizer';
export { lazyConvGradients } from './lazy-conv-gradients';
export { SGD_MOMENTUM_KERNEL } from './sgd-momentum-kernel-name';
export type { SgdMomentumAttrs } from './sgd-momentum-kernel-name';
export { CONV_BIAS_RELU_KERNEL } from './conv-bias-relu-kernel-name';
export type { ConvBiasReluAttrs } from './conv-bias-relu-kernel-name';
export type { BackendSelection } from './select-backend';
