import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addCoupledWeightDecay, coupledWeightDecay, penalty, pytorchWeightDecay } from '../src/index';
import { expectNoLeak, takeArray, useCpu, variable } from './helpers';

beforeAll(useCpu);

describe('addCoupledWeightDecay', () => {
  it('returns grads + wd*w for selected variables, leaves the others and the input map alone', () => {
    const k = variable([[1, -2]], 'dense/kernel');
    const b = variable([4], 'dense/bias');
    const grads = { [k.name]: tf.tensor2d([[0.5, 0.5]]), [b.name]: tf.tensor1d([1]) };
    const out = addCoupledWeightDecay(grads, [k, b], 0.1);
    expect(takeArray(out[k.name]!)).toEqual([Math.fround(0.6), Math.fround(0.3)].map((v) => expect.closeTo(v, 6)));
    expect(takeArray(out[b.name]!)).toEqual([expect.closeTo(1.4, 6)]);
    expect(grads[k.name]!.isDisposed).toBe(false); // input untouched

    const kernelsOnly = addCoupledWeightDecay(grads, [k, b], 0.1, 'kernels');
    expect(kernelsOnly[b.name]).toBe(grads[b.name]);
    tf.dispose([kernelsOnly[k.name]!]);
    tf.dispose(grads);
    tf.dispose([k, b]);
  });

  it('skips variables without a gradient and is a shallow copy when wd = 0', () => {
    const a = variable([1], 'a');
    const c = variable([2], 'c');
    const grads = { [a.name]: tf.tensor1d([0]) };
    expectNoLeak(() => {
      const zero = addCoupledWeightDecay(grads, [a, c], 0);
      expect(zero).toEqual(grads);
      expect(zero).not.toBe(grads);
    });
    const out = coupledWeightDecay(grads, [a, c], 1);
    expect(Object.keys(out)).toEqual([a.name]);
    expect(takeArray(out[a.name]!)).toEqual([1]);
    tf.dispose(grads);
    tf.dispose([a, c]);
  });

  it('equals the gradient of penalty(pytorchWeightDecay(wd)) (PyTorch SGD weight_decay)', () => {
    const w = variable([[3, -1], [0, 2]], 'w');
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(w, tf.scalar(0))), [w]);
    const decayed = addCoupledWeightDecay(grads, [w], 0.2);
    const viaPenalty = tf.variableGrads(() => penalty([w], pytorchWeightDecay(0.2)), [w]);
    const a = takeArray(decayed[w.name]!);
    const b = takeArray(viaPenalty.grads[w.name]!);
    b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 6));
    tf.dispose([value, viaPenalty.value]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('rejects bad options naming them', () => {
    const w = variable([1], 'w');
    expect(() => addCoupledWeightDecay({}, [w], -1)).toThrow("addCoupledWeightDecay(): option 'wd': expected a number >= 0, got -1");
    expect(() => addCoupledWeightDecay({}, [w], Number.NaN)).toThrow("option 'wd': expected a number >= 0, got NaN");
    expect(() => addCoupledWeightDecay({}, [w], 1, 'weights' as never)).toThrow(/option 'select': expected .*, got "weights"/);
    w.dispose();
  });
});
