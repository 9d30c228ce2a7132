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
}
