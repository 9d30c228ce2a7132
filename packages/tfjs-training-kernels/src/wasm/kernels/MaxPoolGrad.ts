import { MaxPoolGrad, type KernelConfig, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { flagOn, MAX_POOL_GRAD_WASM_FLAG } from '../flags';
import { asWasmHeapBackend, EARLY_EXIT_MIN_TAPS, hasNaN, maxPoolGrad } from '../ops/max-pool-grad';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/**
 * `MaxPoolGrad` (stock: a per-input-pixel gather whose ties go to the last position and which drops
 * windows of non-positive values): one first-occurrence argmax pass over the wasm heap, with the cpu
 * backend's semantics, given the forward output (early exit) when the input has no NaN (`ops/max-pool-grad.ts`).
 */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: BACKEND,
  kernelFunc: (args) => {
    const heap = asWasmHeapBackend(args.backend);
    const { dy, input, output } = args.inputs as { dy: TensorInfo; input: TensorInfo; output?: TensorInfo };
    if (!heap) return stockKernel('MaxPoolGrad')(args);
    // The forward maximum is usable only when x has no NaN (whose max differs between kernels).
    const { filterSize } = args.attrs as unknown as MaxPoolGradAttrs;
    const taps = typeof filterSize === 'number' ? filterSize * filterSize : filterSize[0] * filterSize[1];
    // The generated kernel scans groups of 4 channels without y: skip the NaN check for them.
    const simdOnly = flagOn(MAX_POOL_GRAD_WASM_FLAG) && input.shape.length === 4 && input.shape[3]! % 4 === 0;
    const y = output && !simdOnly && taps >= EARLY_EXIT_MIN_TAPS && withRunner(args.backend, (r) => !hasNaN(r, heap, input)) ? output : undefined;
    return maxPoolGrad(heap, dy, input, args.attrs as unknown as MaxPoolGradAttrs, y) ?? stockKernel('MaxPoolGrad')(args);
  },
};
