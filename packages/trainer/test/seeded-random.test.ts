import * as dataset from '@regstudy/tinyimagenet';
import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32 } from '../src/internal/seeded-random';

// The report's own generator must draw what it drew when it came from @regstudy/tinyimagenet, so
// that a study's bootstrap intervals are the same before and after the move.
describe('seeded-random', () => {
  it('mixes seeds exactly as @regstudy/tinyimagenet does, large and fractional parts included', () => {
    for (const parts of [[0], [1, 2, 3], [7, 2 ** 33 + 5, 0xb007], [3.7, -1], []]) {
      expect(mixSeed(...parts)).toBe(dataset.mixSeed(...parts));
    }
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
  });

  it('draws the same Mulberry32 sequence, in [0, 1) and as integers below n', () => {
    const ours = mulberry32(mixSeed(5, 0xb007));
    const theirs = dataset.mulberry32(dataset.mixSeed(5, 0xb007));
    const a = Array.from({ length: 1000 }, (_, i) => (i % 2 ? ours.next() : ours.int(37)));
    const b = Array.from({ length: 1000 }, (_, i) => (i % 2 ? theirs.next() : theirs.int(37)));
    expect(a).toEqual(b);
    expect(a.every((x, i) => (i % 2 ? x >= 0 && x < 1 : Number.isInteger(x) && x >= 0 && x < 37))).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(500);
  });
});
