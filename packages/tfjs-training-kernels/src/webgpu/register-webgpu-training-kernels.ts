import { env, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelRunner } from '../wasm/runtime/kernel-runner';
import { conv2dBackpropFilterIm2col } from './conv2d-backprop-filter-im2col';

const BACKEND = 'webgpu';
const USED_KERNELS = ['BatchMatMul', 'Concat', 'PadV2', 'Reshape', 'Slice', 'StridedSlice', 'Sum'] as const;
const LABEL = 'registerWebGpuTrainingKernels';

/**
 * tfjs flag: the im2col `Conv2DBackpropFilter` runs when the gradient reduces over at least this
 * many rows (`N * Ho * Wo` of `dy`); smaller ones keep the stock kernel, whose one launch beats the
 * dozen launches of the composition when the GPU waits on JavaScript (ResNet-18's deep layers).
 * Default 16384 (batch 64 at 16 x 16).
 */
export const IM2COL_MIN_ROWS_FLAG = 'REGSTUDY_WEBGPU_IM2COL_MIN_ROWS';

/** What {@link registerWebGpuTrainingKernels} changed. */
export interface WebGpuTrainingKernelsInfo {
  /** Stock webgpu kernels replaced by faster compositions. */
  replaced: string[];
  /** Puts the stock kernels back (for side-by-side measurements); a later call registers ours again. */
  restore(): void;
}

let registered: WebGpuTrainingKernelsInfo | null = null;

/**
 * Replaces tfjs-backend-webgpu's `Conv2DBackpropFilter` (one GPU thread per filter element, each
 * looping over batch x output pixels: 90% of a small model's training step on an H200) by im2col
 * and a split-K batched matrix product of the backend's own kernels
 * ({@link conv2dBackpropFilterIm2col}) for gradients over at least `REGSTUDY_WEBGPU_IM2COL_MIN_ROWS`
 * rows (a tfjs flag, default 16384; {@link IM2COL_MIN_ROWS_FLAG}). Call after importing `@tensorflow/tfjs-backend-webgpu`;
 * `useBackend('webgpu')` and `useBrowserBackend` do. Idempotent.
 *
 * @throws Error when a kernel it composes is not registered for `webgpu` (the package was not imported).
 */
export function registerWebGpuTrainingKernels(): WebGpuTrainingKernelsInfo {
  if (registered !== null) return registered;
  const funcs = new Map<string, KernelFunc>();
  for (const name of USED_KERNELS) {
    const config = getKernel(name, BACKEND);
    if (config === undefined) {
      throw new Error(`${LABEL}: kernel '${name}' is not registered for backend 'webgpu'; import '@tensorflow/tfjs-backend-webgpu' first`);
    }
    funcs.set(name, config.kernelFunc);
  }
  // Registered once (tfjs warns when a flag is registered again); its registry is not public.
  const registry = (env() as unknown as { flagRegistry: Record<string, unknown> }).flagRegistry;
  if (!(IM2COL_MIN_ROWS_FLAG in registry)) env().registerFlag(IM2COL_MIN_ROWS_FLAG, () => 16384);
  const previous = getKernel('Conv2DBackpropFilter', BACKEND);
  if (previous !== undefined) unregisterKernel('Conv2DBackpropFilter', BACKEND);
  registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: BACKEND,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const [n, ho, wo] = (inputs.dy as TensorInfo).shape;
      if (previous !== undefined && n! * ho! * wo! < env().getNumber(IM2COL_MIN_ROWS_FLAG)) return previous.kernelFunc(args);
      const r = new KernelRunner(backend as KernelRunner['backend'], funcs, LABEL);
      try {
        return conv2dBackpropFilterIm2col(r, inputs.x as TensorInfo, inputs.dy as TensorInfo, attrs as unknown as Conv2DBackpropFilterAttrs);
      } finally {
        r.dispose();
      }
    },
  });
  registered = {
    replaced: previous !== undefined ? ['Conv2DBackpropFilter'] : [],
    restore() {
      unregisterKernel('Conv2DBackpropFilter', BACKEND);
      if (previous !== undefined) registerKernel(previous as KernelConfig);
      registered = null;
    },
  };
  return registered;
}
