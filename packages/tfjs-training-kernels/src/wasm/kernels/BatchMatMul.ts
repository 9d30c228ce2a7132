import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { batchMatMul } from '../ops/batch-mat-mul';
import { ownGemmMatMul } from '../ops/own-gemm-matmul';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/**
 * `BatchMatMul`: our SIMD128 GEMM where it is installed (`ops/own-gemm-matmul.ts`), else transposed
 * products (every dense-layer gradient) on XNNPACK's GEMM after an explicit `Transpose` instead of
 * the stock naive loop (`ops/batch-mat-mul.ts`), else the stock kernel.
 */
export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: BACKEND,
  kernelFunc: (args) => {
    const attrs = args.attrs as unknown as BatchMatMulAttrs;
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    return (
      ownGemmMatMul(args.backend, a, b, attrs.transposeA, attrs.transposeB) ??
      withRunner(args.backend, (r) => batchMatMul(r, a, b, attrs)) ??
      stockKernel('BatchMatMul')(args)
    );
  },
};
