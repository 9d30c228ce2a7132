import { _FusedMatMul, type _FusedMatMulAttrs, type KernelConfig } from '@tensorflow/tfjs-core';
import { ownFusedMatMul } from '../ops/fused-mat-mul';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/** `_FusedMatMul` (a dense layer's fused forward pass): our GEMM, then the bias add and activation (`ops/fused-mat-mul.ts`). */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: BACKEND,
  kernelFunc: (args) =>
    withRunner(args.backend, (r) => ownFusedMatMul(r, args.inputs, args.attrs as unknown as _FusedMatMulAttrs)) ??
    stockKernel('_FusedMatMul')(args),
};
