import { engine, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { reluGrad } from './channel-ops';
import { CHANNEL_KERNELS_FLAG, flagOn } from '../flags';
import { installWasmOnlyGradient } from './wasm-only-gradient';

/** Name of the wasm kernel that computes the relu gradient in one pass (see {@link reluGrad}). */
export const RELU_GRAD_KERNEL = 'RegstudyReluGrad';

/** The kernel function of {@link RELU_GRAD_KERNEL}: inputs `dy` and `x` (float32, one shape). */
export const reluGradKernel: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  for (const [name, t] of [['dy', dy], ['x', x]] as const) {
    if (t.dtype !== 'float32') throw new Error(`${RELU_GRAD_KERNEL}: input '${name}' must be float32; got ${t.dtype}`);
  }
  if (!util.arraysEqual(dy.shape, x.shape)) throw new Error(`${RELU_GRAD_KERNEL}: 'dy' ${JSON.stringify(dy.shape)} and 'x' ${JSON.stringify(x.shape)} differ in shape`);
  return reluGrad(backend, dy, x);
};

/**
 * Replaces tfjs-core's `Relu` gradient (`dy * step(x)`: a `Step` and a `Multiply`, two full
 * passes) by the one-pass {@link RELU_GRAD_KERNEL} while the wasm backend is active and the flag
 * `REGSTUDY_WASM_CHANNEL_KERNELS` is on, for float32 operands of one shape; other backends and
 * cases keep tfjs-core's. Returns whether it is installed.
 */
export function installFusedReluGrad(): boolean {
  return installWasmOnlyGradient('Relu', (dy, saved) => {
    const [x] = saved;
    if (x === undefined || !flagOn(CHANNEL_KERNELS_FLAG) || x.dtype !== 'float32' || dy.dtype !== 'float32' || !util.arraysEqual(x.shape, dy.shape)) return null;
    return { x: () => engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as Tensor };
  });
}
