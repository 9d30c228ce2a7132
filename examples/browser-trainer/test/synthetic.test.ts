import { describe, expect, it } from 'vitest';
import { generateSyntheticSplit } from '../src/data/synthetic';

const opts = { classes: 3, perClass: 4, imageSize: 8, seed: 1, split: 'train' as const };

function channelMean(images: Uint8Array, index: number, size: number, channel: number): number {
  const px = size * size;
  let s = 0;
  for (let p = 0; p < px; p++) s += images[index * px * 3 + p * 3 + channel]!;
  return s / px;
}

describe('generateSyntheticSplit', () => {
  it('has the layout of a Tiny-ImageNet split', () => {
    const s = generateSyntheticSplit(opts);
    expect(s.count).toBe(12);
    expect(s.images.length).toBe(12 * 8 * 8 * 3);
    expect(Array.from(s.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(s.classes.map((c) => c.wnid)).toEqual(['synth0000', 'synth0001', 'synth0002']);
    expect(s.split).toBe('train');
  });
  it('is a pure function of the seed and split', () => {
    const a = generateSyntheticSplit(opts);
    expect(generateSyntheticSplit(opts).images).toEqual(a.images);
    expect(generateSyntheticSplit({ ...opts, seed: 2 }).images).not.toEqual(a.images);
    expect(generateSyntheticSplit({ ...opts, split: 'val' }).images).not.toEqual(a.images);
  });
  it('gives class 0 a red base colour (hue 0)', () => {
    const s = generateSyntheticSplit(opts);
    for (let i = 0; i < 4; i++) expect(channelMean(s.images, i, 8, 0)).toBeGreaterThan(channelMean(s.images, i, 8, 2) + 50);
  });
  it('rejects bad options by name', () => {
    expect(() => generateSyntheticSplit({ ...opts, classes: 1 })).toThrow('synthetic.classes');
    expect(() => generateSyntheticSplit({ ...opts, perClass: 0 })).toThrow('synthetic.perClass');
  });
});
