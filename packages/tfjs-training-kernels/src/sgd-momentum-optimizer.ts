import * as tf from '@tensorflow/tfjs-core';
import { SGD_MOMENTUM_KERNEL, type SgdMomentumAttrs } from './sgd-momentum-kernel-name';
import { flagOn, FUSED_SGD_MOMENTUM_FLAG } from './wasm/flags';

/** What `Optimizer.applyGradients` takes: a map of gradients by variable name, or named tensors. */
type VariableGradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];

/** The private state of tfjs' `MomentumOptimizer` this subclass shares (same fields, same names). */
interface MomentumState {
  accumulations: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * Regularization terms folded into the fused step for one variable: `l1 * sign(w)` (0 at 0) and
 * the coupled decay `decay * w` added to its gradient (both `>= 0`; 0 leaves the term out).
 */
export interface FoldedTerms {
  l1: number;
  decay: number;
}

/** Whether `t`'s buffer belongs to `t` alone (the backend's reference count is 1). */
function soleOwner(t: tf.Tensor): boolean {
  const backend = tf.backend() as unknown as { refCount?: (dataId: object) => number };
  return typeof backend.refCount === 'function' && backend.refCount(t.dataId) === 1;
}

/**
 * tfjs' SGD with momentum (`tf.train.momentum`, `useNesterov` false), stepping each variable with
 * one fused kernel where the active backend has one:
 *
 *   accumulation <- accumulation * momentum + gradient
 *   value        <- accumulation * (-learningRate) + value
 *
 * in that order with float32 roundings, i.e. exactly tfjs' `MomentumOptimizer.applyGradients`.
 * The fused kernel (`RegstudySgdMomentum`, registered for wasm by `registerWasmTrainingKernels`)
 * replaces its four elementwise kernels (two multiplies, two adds, each writing a new tensor) by
 * one pass; it is used while the tfjs flag `REGSTUDY_WASM_FUSED_SGD_MOMENTUM` is on (default,
 * read at each call). Elsewhere, with Nesterov, or with the flag off this is tfjs' own step.
 *
 * {@link applyGradientsFolded} also folds the L1 subgradient and coupled weight decay into the
 * same pass (the trainer uses it for SGD with momentum where the kernel is active).
 *
 * Everything else is inherited: `getWeights` / `setWeights` (accumulators named
 * `<variable>/momentum`), `getConfig`, `className` 'Momentum', so checkpoints are interchangeable
 * with `tf.train.momentum`'s.
 */
export class SgdMomentumOptimizer extends tf.MomentumOptimizer {
  private readonly fusedLearningRate: number;
  private readonly fusedMomentum: number;
  private readonly nesterov: boolean;
  /**
   * Whether the fused step may overwrite a variable's and its accumulator's buffers in place when
   * no other tensor shares them (default true; tfjs' `assign` semantics are kept either way).
   */
  inPlace = true;

  constructor(learningRate: number, momentum: number, useNesterov = false) {
    super(learningRate, momentum, useNesterov);
    this.fusedLearningRate = learningRate;
    this.fusedMomentum = momentum;
    this.nesterov = useNesterov;
  }

  /**
   * Frees the optimizer's tensors: the momentum accumulators and scalars (tfjs' `MomentumOptimizer`
   * frees those but not the `-learningRate` scalar its `SGDOptimizer` base keeps; this frees it too).
   */
  override dispose(): void {
    super.dispose();
    (this as unknown as { c?: tf.Tensor }).c?.dispose();
  }

  /** Whether the next {@link applyGradients} takes the fused kernel on the active backend. */
  fusedActive(): boolean {
    return !this.nesterov && flagOn(FUSED_SGD_MOMENTUM_FLAG) && tf.getKernel(SGD_MOMENTUM_KERNEL, tf.getBackend()) !== undefined;
  }

  override applyGradients(variableGradients: VariableGradients): void {
    if (!this.fusedActive()) {
      super.applyGradients(variableGradients);
      return;
    }
    this.fusedStep(variableGradients, null);
  }

  /**
   * The fused step with regularization folded in: for each variable named in `terms`, the
   * gradient the step uses is `(g + l1 * sign(w)) + decay * w`, in the same pass over the
   * variable, rounded in the order of the autograd path (the gradient of `loss + l1 * sum|w|`,
   * then `addCoupledWeightDecay`). Variables not in `terms` take the plain step.
   *
   * Returns the L1 penalty at the values before the step, `sum_v l1_v * sum|w_v|` over `terms` in
   * their order (a float32 scalar the caller owns; each `sum|w_v|` is summed in the same pass, in
   * float32), i.e. what `penalty(vars, { l1 })` gives up to float32 summation order.
   *
   * @throws when {@link fusedActive} is false (the caller takes the autograd path then).
   */
  applyGradientsFolded(variableGradients: VariableGradients, terms: ReadonlyMap<string, FoldedTerms>): tf.Scalar {
    if (!this.fusedActive()) throw new Error('SgdMomentumOptimizer.applyGradientsFolded: the fused momentum kernel is not active on this backend');
    return this.fusedStep(variableGradients, terms) ?? tf.scalar(0);
  }

  /** The fused step; with `terms`, returns their L1 penalty (see {@link applyGradientsFolded}), else null. */
  private fusedStep(variableGradients: VariableGradients, terms: ReadonlyMap<string, FoldedTerms> | null): tf.Scalar | null {
    const state = this as unknown as MomentumState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((item) => item.name) : Object.keys(variableGradients);
    const attrs: SgdMomentumAttrs = { learningRate: this.fusedLearningRate, momentum: this.fusedMomentum };
    const penalties = new Map<string, tf.Scalar>();
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      if (value === undefined) throw new Error(`SgdMomentumOptimizer.applyGradients: no variable named '${name}' is registered`);
      let slot = state.accumulations[i];
      if (slot === undefined || slot === null) {
        slot = { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        state.accumulations[i] = slot;
      }
      const accumulation = slot.variable;
      const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
      if (gradient === undefined || gradient === null) return;
      if (gradient.dtype !== 'float32' || value.dtype !== 'float32') {
        throw new Error(`SgdMomentumOptimizer.applyGradients: variable '${name}' and its gradient must be float32; got ${value.dtype} and ${gradient.dtype}`);
      }
      const folded = terms?.get(name);
      const fold = folded !== undefined && (folded.l1 > 0 || folded.decay > 0);
      tf.tidy(() => {
        const inputs = { value, accumulation, gradient } as unknown as tf.NamedTensorMap;
        const stepAttrs: SgdMomentumAttrs = {
          ...attrs,
          inPlace: this.inPlace && soleOwner(value) && soleOwner(accumulation),
          ...(fold ? { l1: folded.l1, decay: folded.decay } : {}),
        };
        const [newAccumulation, newValue, absSums] = tf.engine().runKernel(SGD_MOMENTUM_KERNEL, inputs, stepAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        if (fold && folded.l1 > 0) penalties.set(name, tf.keep(tf.mul(tf.scalar(folded.l1), tf.sum(absSums!)) as tf.Scalar));
        accumulation.assign(newAccumulation!);
        value.assign(newValue!);
      });
    });
    this.incrementIterations();
    if (terms === null) return null;
    return tf.tidy(() => {
      let total: tf.Scalar = tf.scalar(0);
      for (const name of terms?.keys() ?? []) {
        const p = penalties.get(name);
        if (p !== undefined) total = tf.add(total, p);
      }
      tf.dispose([...penalties.values()]);
      return total;
    });
  }
}
