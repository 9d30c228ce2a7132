import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sumAbs, sumSquares } from '../src/index';
import { expectNoLeak, take, takeArray, useCpu } from './helpers';

beforeAll(useCpu);

describe('sumAbs / sumSquares', () => {
  it('computes hand-checked values on negative, zero and large entries', () => {
    const x = tf.tensor1d([-2, 0, 3, -0.5]);
    expect(take(sumAbs(x))).toBeCloseTo(5.5, 6);
    expect(take(sumSquares(x))).toBeCloseTo(4 + 0 + 9 + 0.25, 6);
    const big = tf.tensor1d([1e6, -3e6]);
    expect(take(sumAbs(big))).toBe(4e6);
    expect(take(sumSquares(big))).toBeCloseTo(1e13, -7); // float32: ~7 significant digits
    tf.dispose([x, big]);
  });

  it('tf.abs has gradient -1 at 0 in tfjs, sumAbs has the subgradient 0 there', () => {
    const x = tf.tensor1d([-2, 0, 3]);
    expect(takeArray(tf.grad((v: tf.Tensor) => tf.sum(tf.abs(v)))(x))).toEqual([-1, -1, 1]);
    expect(takeArray(tf.grad((v: tf.Tensor) => sumAbs(v))(x))).toEqual([-1, 0, 1]);
    x.dispose();
  });

  it('sumSquares has gradient 2x', () => {
    const x = tf.tensor1d([-2, 0, 3, 1e3]);
    expect(takeArray(tf.grad((v: tf.Tensor) => sumSquares(v))(x))).toEqual([-4, 0, 6, 2e3]);
    x.dispose();
  });

  it('casts int tensors and leaks nothing', () => {
    const x = tf.tensor1d([-1, 2], 'int32');
    expectNoLeak(() => {
      expect(take(sumAbs(x))).toBe(3);
      expect(take(sumSquares(x))).toBe(5);
    });
    x.dispose();
  });
});
