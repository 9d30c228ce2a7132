import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '@regstudy/trainer';
import { bestEpoch } from '../src/ui/compare';

const rec = (epoch: number, valAccuracy: number): EpochRecord =>
  ({ epoch, valAccuracy, trainAccuracy: epoch / 10 }) as EpochRecord;

describe('bestEpoch', () => {
  it('picks the highest val accuracy, the first one on ties', () => {
    expect(bestEpoch([rec(1, 0.2), rec(2, 0.5), rec(3, 0.5), rec(4, 0.1)])?.epoch).toBe(2);
  });
  it('is null without epochs', () => {
    expect(bestEpoch([])).toBeNull();
  });
});
