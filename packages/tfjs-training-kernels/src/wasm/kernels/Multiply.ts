import { Multiply, type KernelConfig } from '@tensorflow/tfjs-core';
import { channelBinaryKernel } from './channel-binary-kernel';
import { BACKEND } from './stock-kernels';

/**
 * `Multiply`: of a per-channel vector over a tensor with fewer than 48 channels (the bias add of narrow
 * convolutions), the same op on rows of >= 256 floats; with a multiple of 4 channels otherwise, a
 * generated SIMD128 pass split over the GEMM threads (`ops/channel-ops.ts`, flag
 * `REGSTUDY_WASM_CHANNEL_KERNELS`); small per-row broadcasts (`[R, 1]` with `[R, C]`) by one
 * JavaScript pass; else the stock kernel (`channel-binary-kernel.ts`).
 */
export const multiplyConfig: KernelConfig = {
  kernelName: Multiply,
  backendName: BACKEND,
  kernelFunc: channelBinaryKernel(Multiply),
};
