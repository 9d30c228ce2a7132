import { Slice, type KernelConfig, type SliceAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmHeapBackend } from '../ops/max-pool-grad';
import { slice } from '../ops/slice';
import { BACKEND, stockKernel } from './stock-kernels';

/**
 * `Slice` (stock: copies the whole input out of the heap first): copies of the sliced runs only
 * (`ops/slice.ts`). The composite kernels use it too (see `registerWasmTrainingKernels`).
 */
export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: BACKEND,
  kernelFunc: (args) => {
    const heap = asWasmHeapBackend(args.backend);
    return (heap && slice(heap, args.inputs.x as TensorInfo, args.attrs as unknown as SliceAttrs)) ?? stockKernel('Slice')(args);
  },
};
