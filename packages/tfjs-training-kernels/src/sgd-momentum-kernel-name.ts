/**
 * Name of the fused momentum-step kernel: inputs `value`, `accumulation`, `gradient` (same shape,
 * float32), attrs {@link SgdMomentumAttrs}, outputs `[newAccumulation, newValue]`:
 *
 *   newAccumulation = accumulation * momentum + gradient
 *   newValue        = newAccumulation * (-learningRate) + value
 *
 * With `l1` or `decay` in the attrs, the gradient is first `(gradient + l1 * sign(value)) + decay
 * * value` (the L1 subgradient, 0 at 0, and PyTorch's coupled weight decay), in the same pass,
 * and a third output `absSums` (float32 `[SGD_MOMENTUM_ABS_SUM_SLOTS]`) holds partial sums of
 * `|value|` before the step whose total is `sum |value|` (unused slots are 0).
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
  /** L1 coefficient: adds `l1 * sign(value)` (0 at 0) to the gradient; `>= 0`. */
  l1?: number;
  /** Coupled weight decay: adds `decay * value` to the gradient (PyTorch `weight_decay`); `>= 0`. */
  decay?: number;
}

/** Length of the kernel's third output `absSums` (one slot per thread slice of the step). */
export const SGD_MOMENTUM_ABS_SUM_SLOTS = 64;
