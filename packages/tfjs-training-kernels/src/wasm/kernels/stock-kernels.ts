import { getKernel, type KernelFunc, type KernelConfig } from '@tensorflow/tfjs-core';
import { KernelRunner } from '../runtime/kernel-runner';

/** Backend name the training kernels are registered for. */
export const BACKEND = 'wasm';

/** Stock wasm kernels the training kernels call or fall back to. */
export const USED_KERNELS = [
  'Add', 'AvgPool', 'AvgPoolGrad', 'BatchMatMul', 'Cast', 'Concat', 'Conv2D', 'Conv2DBackpropInput', 'Elu', 'Fill', 'Floor', 'FusedBatchNorm', 'FusedConv2D', '_FusedMatMul', 'Identity', 'LeakyRelu', 'MaxPool', 'MaxPoolGrad', 'Mean', 'Multiply',
  'PadV2', 'Prelu', 'Relu', 'Relu6', 'Reshape', 'Rsqrt', 'Sigmoid', 'Slice', 'Square', 'Sub', 'Sum',
  'StridedSlice', 'Tile',
  'Transpose',
] as const;

/** The stock kernel functions, as registered before ours replaced them. */
const stock = new Map<string, KernelFunc>();
/** What composite kernels run through {@link KernelRunner}: stock, except where ours is used inside too. */
const inner = new Map<string, KernelFunc>();

/**
 * Captures the stock wasm kernels (once, before any is replaced).
 * @throws naming the first missing kernel when `@tensorflow/tfjs-backend-wasm` is not imported.
 */
export function captureStockKernels(): void {
  if (stock.size > 0) return;
  const found = new Map<string, KernelConfig>();
  for (const name of USED_KERNELS) {
    const config = getKernel(name, BACKEND);
    if (config === undefined) {
      throw new Error(
        `registerWasmTrainingKernels: kernel '${name}' is not registered for backend 'wasm'; ` +
          `import '@tensorflow/tfjs-backend-wasm' before calling it`,
      );
    }
    found.set(name, config);
  }
  for (const [name, config] of found) {
    stock.set(name, config.kernelFunc);
    inner.set(name, config.kernelFunc);
  }
}

/** The stock kernel `name` (the fallback of ours). */
export function stockKernel(name: (typeof USED_KERNELS)[number]): KernelFunc {
  const f = stock.get(name);
  if (f === undefined) throw new Error(`wasm training kernels: stock kernel '${name}' used before registerWasmTrainingKernels()`);
  return f;
}

/** Makes composite kernels run `config` (ours) for its kernel instead of the stock one. */
export function useInsideComposites(config: KernelConfig): void {
  inner.set(config.kernelName, config.kernelFunc);
}

/**
 * Runs `body` with a {@link KernelRunner} over the wasm backend's kernels and disposes the
 * intermediate tensors it made.
 */
export function withRunner<T>(backend: unknown, body: (r: KernelRunner) => T): T {
  const r = new KernelRunner(backend as KernelRunner['backend'], inner);
  try {
    return body(r);
  } finally {
    r.dispose();
  }
}
