import type * as tf from '@tensorflow/tfjs-core';

/**
 * Disposes an optimizer and everything it holds. tfjs' MomentumOptimizer.dispose() does not call
 * SGDOptimizer.dispose(), which leaks its `-learningRate` scalar `c`; this frees it too, so the
 * tests' tf.memory() checks see only leaks of the code under test.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  const inherited = (optimizer as unknown as { c?: tf.Tensor }).c;
  optimizer.dispose();
  if (inherited && !inherited.isDisposed) inherited.dispose();
}
