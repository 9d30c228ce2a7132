import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decoupledWeightDecay, proximalL1 } from '../src/index';
import { expectNoLeak, useCpu, variable } from './helpers';

beforeAll(useCpu);

const values = (v: tf.Variable) => Array.from(v.dataSync());

describe('proximalL1', () => {
  it('soft-thresholds: w <- sign(w) * max(|w| - lr*lambda, 0), with exact zeros', () => {
    const w = variable([0.5, -0.5, 0.05, -0.05, 0, 2], 'w');
    const hook = proximalL1({ lambda: 1 });
    expect(hook.name).toBe('proximalL1(lambda=1)');
    expectNoLeak(() => hook.apply([w], { learningRate: 0.1 }));
    const out = values(w);
    [0.4, -0.4, 0, 0, 0, 1.9].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    expect(out.slice(2, 5).map((v) => Object.is(Math.abs(v), 0))).toEqual([true, true, true]);
    w.dispose();
  });

  it("acts only on selected variables ('kernels' skips biases and BN)", () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 2, inputShape: [2] }), tfl.layers.batchNormalization({})],
    });
    tf.tidy(() =>
      model.setWeights([
        tf.tensor2d([[1, -1], [0.01, 3]]),
        tf.tensor1d([0.01, 1]),
        tf.tensor1d([1, 1]),
        tf.tensor1d([0.01, 0]),
        tf.tensor1d([0, 0]),
        tf.tensor1d([1, 1]),
      ]),
    );
    expectNoLeak(() => proximalL1({ lambda: 0.5, select: 'kernels' }).apply(model, { learningRate: 0.1 }));
    const [k, b, g, beta] = model.getWeights().map((t) => Array.from(t.dataSync()));
    [0.95, -0.95, 0, 2.95].forEach((v, i) => expect(k![i]).toBeCloseTo(v, 6));
    expect(b).toEqual([Math.fround(0.01), 1]);
    expect(g).toEqual([1, 1]);
    expect(beta).toEqual([Math.fround(0.01), 0]);
    model.dispose();
  });

  it('property: never increases |w| nor flips a sign', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 10 }),
        fc.float({ min: 0, max: 5, noNaN: true }),
        fc.float({ min: 0, max: 1, noNaN: true }),
        (init, lambda, lr) => {
          const w = tf.tidy(() => tf.variable(tf.tensor1d(init)));
          proximalL1({ lambda }).apply([w], { learningRate: lr });
          const out = values(w);
          w.dispose();
          out.forEach((v, i) => {
            const w0 = Math.fround(init[i]!);
            expect(Math.abs(v)).toBeLessThanOrEqual(Math.abs(w0));
            expect(v * w0).toBeGreaterThanOrEqual(0);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects bad options naming them', () => {
    expect(() => proximalL1({ lambda: -1 })).toThrow("proximalL1(): option 'lambda': expected a number >= 0, got -1");
    expect(() => proximalL1({ lambda: 1, select: 'biases' as never })).toThrow(/proximalL1\(\): option 'select': expected .*, got "biases"/);
    const w = variable([1], 'w');
    expect(() => proximalL1({ lambda: 1 }).apply([w], { learningRate: Number.NaN })).toThrow("option 'ctx.learningRate': expected a number >= 0, got NaN");
    w.dispose();
  });
});

describe('decoupledWeightDecay', () => {
  it('w <- (1 - lr*rate) * w on selected variables', () => {
    const k = variable([[2, -4]], 'dense/kernel');
    const b = variable([1], 'dense/bias');
    const hook = decoupledWeightDecay({ rate: 0.5, select: 'kernels' });
    expect(hook.name).toBe('decoupledWeightDecay(rate=0.5)');
    expectNoLeak(() => hook.apply([k, b], { learningRate: 0.1 }));
    expect(values(k)).toEqual([1.9, -3.8].map((v) => expect.closeTo(v, 6)));
    expect(values(b)).toEqual([1]);
    decoupledWeightDecay({ rate: 0.5 }).apply([k, b], { learningRate: 0.1 });
    expect(values(b)).toEqual([expect.closeTo(0.95, 6)]);
    tf.dispose([k, b]);
  });

  it('differs from coupled decay under momentum (the point of AdamW)', () => {
    // one SGD+momentum step is identical; the accumulated decay differs after two steps
    const run = (decoupled: boolean) => {
      const w = variable([1], 'w');
      const opt: tf.Optimizer = tf.train.momentum(0.1, 0.9);
      for (let i = 0; i < 2; i++) {
        tf.tidy(() => {
          const g = decoupled ? tf.zerosLike(w) : tf.mul(w, 0.5);
          opt.applyGradients({ [w.name]: g });
        });
        if (decoupled) decoupledWeightDecay({ rate: 0.5 }).apply([w], { learningRate: 0.1 });
      }
      const v = values(w)[0]!;
      opt.dispose();
      w.dispose();
      return v;
    };
    // coupled: v1 = 0.5, w1 = 0.95; v2 = 0.9*0.5 + 0.475 = 0.925, w2 = 0.95 - 0.0925 = 0.8575
    expect(run(false)).toBeCloseTo(0.8575, 5);
    // decoupled: w1 = 0.95, w2 = 0.9025
    expect(run(true)).toBeCloseTo(0.9025, 5);
  });

  it('rejects bad options naming them', () => {
    expect(() => decoupledWeightDecay({ rate: Number.NaN })).toThrow("decoupledWeightDecay(): option 'rate': expected a number >= 0, got NaN");
    expect(() => decoupledWeightDecay({ rate: 1, extra: 1 } as never)).toThrow("option 'extra': unknown option (known: rate, select)");
  });
});
