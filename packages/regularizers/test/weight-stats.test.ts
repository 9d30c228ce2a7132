import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { weightStats, weightStatsAsync } from '../src/index';
import { expectNoLeak, useCpu } from './helpers';

beforeAll(useCpu);
afterEach(() => vi.restoreAllMocks());

function model() {
  const m = tfl.sequential({
    layers: [tfl.layers.dense({ units: 2, inputShape: [2], name: 'fc1' }), tfl.layers.dense({ units: 1, name: 'fc2' })],
  });
  tf.tidy(() =>
    m.setWeights([
      tf.tensor2d([[3, -4], [0, 1e-9]]),
      tf.tensor1d([0, -1]),
      tf.tensor2d([[0.5], [-0.5]]),
      tf.tensor1d([2]),
    ]),
  );
  return m;
}

describe('weightStats', () => {
  it('reports hand-computed per-variable, per-layer and total stats', () => {
    const m = model();
    const s = expectNoLeak(() => weightStats(m, { eps: 1e-6 }));
    expect(s.eps).toBe(1e-6);
    const k1 = s.variables[0]!;
    expect(k1.layer).toBe('fc1');
    expect(k1.shape).toEqual([2, 2]);
    expect(k1.count).toBe(4);
    expect(k1.l1).toBeCloseTo(7, 5);
    expect(k1.sumSquares).toBeCloseTo(25, 5);
    expect(k1.l2).toBeCloseTo(5, 5);
    expect(k1.maxAbs).toBe(4);
    expect(k1.nearZero).toBe(2); // 0 and 1e-9
    expect(k1.fractionNearZero).toBe(0.5);

    expect(s.layers.map((l) => l.layer)).toEqual(['fc1', 'fc2']);
    const fc1 = s.layers[0]!;
    expect(fc1.count).toBe(6);
    expect(fc1.l1).toBeCloseTo(8, 5);
    expect(fc1.sumSquares).toBeCloseTo(26, 5);
    expect(fc1.nearZero).toBe(3);
    expect(s.layers[1]!.variables).toHaveLength(2);

    expect(s.total.count).toBe(9);
    expect(s.total.l1).toBeCloseTo(11, 5);
    expect(s.total.sumSquares).toBeCloseTo(30.5, 5);
    expect(s.total.l2).toBeCloseTo(Math.sqrt(30.5), 5);
    expect(s.total.maxAbs).toBe(4);
    expect(s.total.fractionNearZero).toBeCloseTo(3 / 9, 10);
    m.dispose();
  });

  it('downloads data once per call', () => {
    const m = model();
    const spy = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    weightStats(m);
    expect(spy).toHaveBeenCalledTimes(1);
    m.dispose();
  });

  it('eps = 0 counts exact zeros; select filters; async agrees', async () => {
    const m = model();
    expect(weightStats(m, { eps: 0 }).total.nearZero).toBe(2);
    const kernels = weightStats(m, { select: 'kernels' });
    expect(kernels.variables.map((v) => /\/kernel(_\d+)?$/.test(v.name))).toEqual([true, true]);
    expect(await weightStatsAsync(m, { eps: 1e-6 })).toEqual(weightStats(m, { eps: 1e-6 }));
    const empty = weightStats(m, { select: /none/ });
    expect(empty.total).toEqual({ count: 0, l1: 0, l2: 0, sumSquares: 0, maxAbs: 0, nearZero: 0, fractionNearZero: 0 });
    m.dispose();
  });

  it('rejects bad options naming them', () => {
    expect(() => weightStats([], { eps: -1 })).toThrow("weightStats(): option 'eps': expected a number >= 0, got -1");
    expect(() => weightStats([], { select: 'bias' as never })).toThrow(/option 'select': expected 'all', 'kernels', a RegExp or a function \(variable\) => boolean, got "bias"/);
  });
});

describe('weightStats keys', () => {
  it('are layer paths, the same for a model built fresh and one built after others in the same process', () => {
    const build = () =>
      tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [2], name: 'fc1' }), tfl.layers.dense({ units: 1, name: 'fc2' })] });
    const first = build();
    const second = build(); // tfjs gives its variables suffixed names (fc1/kernel_1, ...)
    const vars = (m: tfl.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    expect(vars(second).map((v) => v.name)).not.toEqual(vars(first).map((v) => v.name));
    const keys = (m: tfl.LayersModel) => weightStats(vars(m)).variables.map((v) => v.name);
    expect(keys(first)).toEqual(['fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias']);
    expect(keys(second)).toEqual(keys(first));
    expect(weightStats(second).variables.map((v) => v.name)).toEqual(keys(first));
    expect(weightStats(vars(second)).variables.map((v) => v.variable)).toEqual(vars(second).map((v) => v.name));
    first.dispose();
    second.dispose();
  });
});
