import * as tf from '@tensorflow/tfjs-core';
import { SgdMomentumOptimizer } from '@regstudy/tfjs-training-kernels';
import type { ResolvedOptimizerSpec } from './specs';

/**
 * Builds the tfjs optimizer for a spec. SGD with momentum is {@link SgdMomentumOptimizer} (tfjs'
 * momentum step, fused into one kernel on wasm; same weights and checkpoints). AdamW is `tf.train.adam` plus a decoupled decay hook that
 * the loop applies after each step (see {@link optimizerDecay}).
 */
export function createOptimizer(spec: ResolvedOptimizerSpec): tf.Optimizer {
  switch (spec.kind) {
    case 'sgd':
      return spec.momentum > 0
        ? new SgdMomentumOptimizer(spec.learningRate, spec.momentum)
        : tf.train.sgd(spec.learningRate);
    case 'adam':
    case 'adamw':
      return tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon);
  }
}

/** The decoupled weight-decay rate an optimizer implies (AdamW's `weightDecay`, else 0). */
export function optimizerDecay(spec: ResolvedOptimizerSpec): number {
  return spec.kind === 'adamw' ? spec.weightDecay : 0;
}

/**
 * Disposes an optimizer and everything it holds. tfjs' MomentumOptimizer.dispose() does not
 * call SGDOptimizer.dispose(), which leaks its `-learningRate` scalar `c`; this frees it too.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  const inherited = (optimizer as unknown as { c?: tf.Tensor }).c;
  optimizer.dispose();
  if (inherited && !inherited.isDisposed) inherited.dispose();
}
