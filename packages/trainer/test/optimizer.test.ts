import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SgdMomentumOptimizer } from '@regstudy/tfjs-training-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, disposeOptimizer } from '../src/loop/optimizer';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe('createOptimizer', () => {
  it('builds the fused SgdMomentumOptimizer for sgd with momentum, plain sgd without, and disposes without leaks', () => {
    const before = tf.memory().numTensors;
    const momentum = createOptimizer({ kind: 'sgd', learningRate: 0.01, momentum: 0.9 });
    const plain = createOptimizer({ kind: 'sgd', learningRate: 0.01, momentum: 0 });
    // tf.Optimizer's Symbol.hasInstance is duck-typed (any optimizer passes `instanceof`): compare constructors.
    expect(momentum.constructor).toBe(SgdMomentumOptimizer);
    expect(plain.constructor).not.toBe(SgdMomentumOptimizer);
    expect(plain.getClassName()).toBe('SGD');
    [momentum, plain].forEach(disposeOptimizer);
    expect(tf.memory().numTensors).toBe(before);
  });
});
