import { describe, expect, it } from 'vitest';
import { IMAGE_BYTES, loadTinyImageNet, writeSyntheticTinyImageNet } from '../src/index';
import { tempDir } from './fixtures';

/** Mean of each 8x8 block per channel: a 8x8x3 = 192-dim feature in [0, 255]. */
function features(images: Uint8Array, n: number): Float64Array {
  const f = new Float64Array(192);
  const base = n * IMAGE_BYTES;
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 64; x++)
      for (let c = 0; c < 3; c++) f[((y >> 3) * 8 + (x >> 3)) * 3 + c]! += images[base + (y * 64 + x) * 3 + c]! / 64;
  return f;
}

describe('the synthetic classes are learnable', () => {
  it('a nearest-class-mean classifier on 8x8 block means beats chance by far on val', async () => {
    const dir = tempDir();
    const ds = await writeSyntheticTinyImageNet(dir, { classes: 8, trainPerClass: 20, valPerClass: 10, seed: 4, grayscaleFraction: 0 });
    const train = await loadTinyImageNet({ source: ds.root!, split: 'train' });
    const val = await loadTinyImageNet({ source: ds.root!, split: 'val' });
    const K = train.classes.length;
    const means = Array.from({ length: K }, () => new Float64Array(192));
    const counts = new Array<number>(K).fill(0);
    for (let n = 0; n < train.count; n++) {
      const f = features(train.images, n);
      const l = train.labels[n]!;
      counts[l]!++;
      for (let i = 0; i < 192; i++) means[l]![i]! += f[i]!;
    }
    means.forEach((m, k) => m.forEach((v, i) => (m[i] = v / counts[k]!)));
    let correct = 0;
    for (let n = 0; n < val.count; n++) {
      const f = features(val.images, n);
      let best = -1;
      let bestD = Infinity;
      means.forEach((m, k) => {
        let d = 0;
        for (let i = 0; i < 192; i++) d += (f[i]! - m[i]!) ** 2;
        if (d < bestD) [bestD, best] = [d, k];
      });
      if (best === val.labels[n]) correct++;
    }
    // chance is 1/8 = 12.5%; colour alone should separate most classes
    expect(correct / val.count).toBeGreaterThan(0.6);
  });
});
