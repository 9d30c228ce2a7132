import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { SGD_MOMENTUM_KERNEL, type SgdMomentumAttrs } from '../../sgd-momentum-kernel-name';
import { sgdMomentum } from '../ops/sgd-momentum';
import { BACKEND } from './stock-kernels';

/**
 * `RegstudySgdMomentum` (ours): the one-pass momentum step, with the L1 sign term and coupled weight
 * decay folded in, that `SgdMomentumOptimizer` uses while the flag `REGSTUDY_WASM_FUSED_SGD_MOMENTUM`
 * is on (`ops/sgd-momentum.ts`).
 */
export const sgdMomentumConfig: KernelConfig = {
  kernelName: SGD_MOMENTUM_KERNEL,
  backendName: BACKEND,
  kernelFunc: (args) =>
    sgdMomentum(
      args.backend,
      args.inputs as { value: TensorInfo; accumulation: TensorInfo; gradient: TensorInfo },
      args.attrs as unknown as SgdMomentumAttrs,
    ),
};
