import { describe, expect, it } from 'vitest';
import { lambdaSchedule } from '../src/index';

describe('lambdaSchedule', () => {
  it('constant returns lambda', () => {
    const s = lambdaSchedule({ kind: 'constant' });
    expect([1, 2, 50].map((e) => s(e, 1e-4))).toEqual([1e-4, 1e-4, 1e-4]);
  });

  it('linearWarmup ramps lambda * min(1, epoch / warmupEpochs), epoch 1-based', () => {
    const s = lambdaSchedule({ kind: 'linearWarmup', warmupEpochs: 4 });
    expect([0, 1, 2, 4, 10].map((e) => s(e, 2))).toEqual([0, 0.5, 1, 2, 2]);
    expect(s(1.5, 2)).toBe(0.75);
  });

  it('rejects bad specs and inputs naming the field', () => {
    expect(() => lambdaSchedule({ kind: 'cosine' } as never)).toThrow(`lambdaSchedule(): option 'kind': expected one of "constant", "linearWarmup", got "cosine"`);
    expect(() => lambdaSchedule({ kind: 'linearWarmup', warmupEpochs: 0 })).toThrow("option 'warmupEpochs': expected an integer >= 1, got 0");
    expect(() => lambdaSchedule({ kind: 'linearWarmup', warmupEpochs: 1.5 })).toThrow("option 'warmupEpochs': expected an integer >= 1, got 1.5");
    const s = lambdaSchedule({ kind: 'constant' });
    expect(() => s(1, -1)).toThrow("lambdaSchedule()(epoch, lambda): option 'lambda': expected a number >= 0, got -1");
    expect(() => s(Number.NaN, 1)).toThrow("option 'epoch': expected a number >= 0, got NaN");
  });
});
