// Cross-check against PyTorch: the paper's code (L1 in the loss over all parameters, L2 as SGD's
// coupled weight_decay) reproduced with penalty() + addCoupledWeightDecay() and tfjs' momentum
// optimizer. Fixture from fixtures/torch-sgd-paper-code.py (PyTorch 1.13, float32).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addCoupledWeightDecay, penalty } from '../src/index';
import { useCpu } from './helpers';

beforeAll(useCpu);

interface Fixture {
  l1: number;
  l2: number;
  lr: number;
  momentum: number;
  W0: number[][];
  b0: number[];
  x: number[][];
  y: number[];
  steps: { loss: number; W: number[][]; b: number[] }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/torch-sgd-paper-code.json', import.meta.url), 'utf8'),
) as Fixture;

describe('parity with PyTorch SGD(momentum, weight_decay) + L1 loss term', () => {
  it('matches the loss and the parameters after every step', () => {
    const W = tf.variable(tf.tensor2d(fixture.W0), true, 'torch_parity/kernel');
    const b = tf.variable(tf.tensor1d(fixture.b0), true, 'torch_parity/bias');
    const x = tf.tensor2d(fixture.x);
    const y = tf.oneHot(tf.tensor1d(fixture.y, 'int32'), 2);
    const opt: tf.Optimizer = tf.train.momentum(fixture.lr, fixture.momentum);
    for (const expected of fixture.steps) {
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const logits = tf.add(tf.matMul(x, W, false, true), b);
          const ce = tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
          return tf.add(ce, penalty([W, b], { l1: fixture.l1, select: 'all' }));
        }),
      );
      const decayed = addCoupledWeightDecay(grads, [W, b], fixture.l2, 'all');
      opt.applyGradients(decayed);
      expect(value.dataSync()[0]).toBeCloseTo(expected.loss, 5);
      Array.from(W.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.W.flat()[i]!, 5));
      Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.b[i]!, 5));
      tf.dispose([value]);
      tf.dispose(grads);
      tf.dispose(decayed);
    }
    opt.dispose();
    tf.dispose([W, b, x, y]);
  });
});
