/**
 * Name of the fused momentum-step kernel: inputs `value`, `accumulation`, `gradient` (same shape,
 * float32), attrs {@link SgdMomentumAttrs}, outputs `[newAccumulation, newValue]`:
 *
 *   newAccumulation = accumulation * momentum + gradient
 *   newValue        = newAccumulation * (-learningRate) + value
 *
 * Registered for the wasm backend only (`registerWasmTrainingKernels`); elsewhere
 * `SgdMomentumOptimizer` runs tfjs' own ops.
 */
export const SGD_MOMENTUM_KERNEL = 'RegstudySgdMomentum';

/** Attributes of {@link SGD_MOMENTUM_KERNEL}. */
export interface SgdMomentumAttrs {
  learningRate: number;
  momentum: number;
  /**
   * Write the results over `accumulation` and `value` and return them (reference-counted shares
   * of the inputs' buffers) instead of two new tensors. Only for inputs whose buffers nothing else
   * shares (the caller checks the backend's reference counts): it saves allocating and first
   * touching two fresh buffers per step.
   */
  inPlace?: boolean;
}
