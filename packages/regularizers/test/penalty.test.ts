import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { elasticNet, l1, l2, penalty, pytorchWeightDecay, selectVariables, type Regularizer } from '../src/index';
import { expectNoLeak, take, takeArray, useCpu, variable } from './helpers';

beforeAll(useCpu);

/** dense(3->2) + batchNorm, with hand-set weights. */
function smallModel() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 2, inputShape: [3] }),
      tfl.layers.batchNormalization({}),
    ],
  });
  tf.tidy(() => model.setWeights([
    tf.tensor2d([[1, -2], [0, 3], [-4, 0.5]]), // kernel: sum|w| = 10.5, sum w^2 = 30.25
    tf.tensor1d([0.5, -1]), // bias: 1.5, 1.25
    tf.tensor1d([2, 1]), // gamma: 3, 5
    tf.tensor1d([0, -3]), // beta: 3, 9
    tf.tensor1d([7, 7]), // moving mean (non-trainable)
    tf.tensor1d([9, 9]), // moving variance (non-trainable)
  ]));
  return model;
}

describe('penalty', () => {
  it('matches hand-computed l1*sum|w| + l2*sum w^2 over all trainable variables', () => {
    const model = smallModel();
    // all: sum|w| = 10.5 + 1.5 + 3 + 3 = 18; sum w^2 = 30.25 + 1.25 + 5 + 9 = 45.5
    expectNoLeak(() => {
      expect(take(penalty(model, { l1: 0.1 }))).toBeCloseTo(1.8, 5);
      expect(take(penalty(model, { l2: 0.01 }))).toBeCloseTo(0.455, 5);
      expect(take(penalty(model, { l1: 0.1, l2: 0.01 }))).toBeCloseTo(2.255, 5);
      expect(take(penalty(model, { l1: 0.1, l2: 0.01, select: 'kernels' }))).toBeCloseTo(1.05 + 0.3025, 5);
      expect(take(penalty(model, { l1: 1, select: /bias/ }))).toBeCloseTo(1.5, 5);
      expect(take(penalty(model, { l1: 1, select: (v) => v.name.includes('gamma') }))).toBeCloseTo(3, 5);
    });
    model.dispose();
  });

  it('is 0 when both lambdas are 0 or nothing is selected', () => {
    const model = smallModel();
    expectNoLeak(() => {
      expect(take(penalty(model, {}))).toBe(0);
      expect(take(penalty(model, { l1: 0, l2: 0 }))).toBe(0);
      expect(take(penalty(model, { l1: 1, select: /nothing-matches/ }))).toBe(0);
    });
    model.dispose();
  });

  it('has gradient l1*sign(w) + 2*l2*w, with 0 from the L1 part at w = 0', () => {
    const w = variable([[-2, 0], [3, 1e3]], 'w');
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => penalty([w], { l1: 0.5, l2: 0.25 }), [w]);
      // value: 0.5 * (2+0+3+1000) + 0.25 * (4+0+9+1e6)
      expect(take(value)).toBeCloseTo(0.5 * 1005 + 0.25 * 1000013, 1);
      // grad: 0.5*sign + 0.5*w
      expect(takeArray(grads[w.name] as tf.Tensor)).toEqual([-0.5 - 1, 0, 0.5 + 1.5, 0.5 + 500]);
    });
    w.dispose();
  });

  it('skips non-trainable variables of an explicit list', () => {
    const a = variable([1, -1], 'a');
    const frozen = variable([100], 'frozen', false);
    expect(take(penalty([a, frozen], { l1: 1 }))).toBe(2);
    expect(selectVariables([a, frozen])).toEqual([a]);
    tf.dispose([a, frozen]);
  });

  it("'kernels' excludes biases and batch-norm gamma/beta, also with uniqueness suffixes", () => {
    smallModel().dispose(); // take the names once, so the next model gets `_1` suffixes
    const model = smallModel();
    const names = selectVariables(model, 'kernels').map((v) => v.name);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/\/kernel(_\d+)?$/);
    const fromList = selectVariables(
      model.trainableWeights.map((w) => w.read() as tf.Variable),
      'kernels',
    ).map((v) => v.name);
    expect(fromList).toEqual(names);
    model.dispose();
  });

  it('agrees with the layer regularizers on the same model', () => {
    const build = (kernelRegularizer?: Regularizer) => {
      const m = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 4, inputShape: [3], kernelRegularizer, biasRegularizer: kernelRegularizer, biasInitializer: 'randomNormal' }),
          tfl.layers.dense({ units: 2, kernelRegularizer, biasRegularizer: kernelRegularizer, biasInitializer: 'randomNormal' }),
        ],
      });
      return m;
    };
    for (const [reg, opts] of [
      [l1(0.03), { l1: 0.03 }],
      [l2(0.02), { l2: 0.02 }],
      [elasticNet({ l1: 0.03, l2: 0.02 }), { l1: 0.03, l2: 0.02 }],
      [elasticNet({ alpha: 0.1, l1Ratio: 0.3 }), { l1: 0.03, l2: 0.035 }],
    ] as const) {
      const m = build(reg);
      const fromLayers = tf.tidy(() => tf.addN(m.layers.flatMap((layer) => layer.calculateLosses())));
      expect(take(penalty(m, opts))).toBeCloseTo(take(fromLayers), 5);
      m.dispose();
    }
  });

  it('pytorchWeightDecay(wd) gives l2 = wd/2 so that the gradient is wd*w', () => {
    expect(pytorchWeightDecay(1e-4)).toEqual({ l2: 5e-5 });
    const w = variable([2, -4], 'w');
    const { value, grads } = tf.variableGrads(() => penalty([w], pytorchWeightDecay(0.1)), [w]);
    expect(take(value)).toBeCloseTo(0.5 * 0.1 * 20, 6);
    const g = takeArray(grads[w.name] as tf.Tensor);
    expect(g[0]).toBeCloseTo(0.2, 6);
    expect(g[1]).toBeCloseTo(-0.4, 6);
    w.dispose();
  });

  it('rejects bad options with an error naming the option', () => {
    const w = variable([1], 'w');
    expect(() => penalty([w], { l1: -1 })).toThrow("penalty(): option 'l1': expected a number >= 0, got -1");
    expect(() => penalty([w], { l2: Number.NaN })).toThrow("option 'l2': expected a number >= 0, got NaN");
    expect(() => penalty([w], { l2: Infinity })).toThrow("option 'l2': expected a number >= 0, got Infinity");
    expect(() => penalty([w], { select: 'biases' as never })).toThrow(`option 'select': expected 'all', 'kernels', a RegExp or a function (variable) => boolean, got "biases"`);
    expect(() => penalty([w], { l3: 1 } as never)).toThrow(/option 'l3': unknown option \(known: l1, l2, select\)/);
    expect(() => penalty([{}] as never, { l1: 1 })).toThrow(/variables\[0\] is not a tf.Variable/);
    expect(() => pytorchWeightDecay(-0.1)).toThrow("pytorchWeightDecay(): option 'wd': expected a number >= 0, got -0.1");
    expect(() => selectVariables([w], 3 as never)).toThrow("selectVariables(): option 'select': expected 'all', 'kernels', a RegExp or a function (variable) => boolean, got 3");
    w.dispose();
  });

  it('property: penalty(c*w) = c*L1 + c^2*L2 terms; nonnegative', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.float({ min: Math.fround(0.1), max: 10, noNaN: true }),
        (values, c) => {
          const w = tf.tidy(() => tf.variable(tf.tensor1d(values)));
          const cw = tf.tidy(() => tf.variable(tf.mul(w, c)));
          const n = tf.memory().numTensors;
          const p1 = take(penalty([w], { l1: 1 }));
          const p1c = take(penalty([cw], { l1: 1 }));
          const p2 = take(penalty([w], { l2: 1 }));
          const p2c = take(penalty([cw], { l2: 1 }));
          expect(tf.memory().numTensors).toBe(n);
          tf.dispose([w, cw]);
          const tol = (x: number) => 1e-4 * Math.max(1, Math.abs(x));
          expect(p1).toBeGreaterThanOrEqual(0);
          expect(Math.abs(p1c - c * p1)).toBeLessThanOrEqual(tol(c * p1));
          expect(Math.abs(p2c - c * c * p2)).toBeLessThanOrEqual(tol(c * c * p2));
        },
      ),
      { numRuns: 50 },
    );
  });
});
