import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { beforeAll, describe, expect, it } from 'vitest';
import { batches, computeChannelStats, epochPermutation, mulberry32, toTfDataset, type BatchSource } from '../src/index';

const B = 64 * 64 * 3;
/** Image n: pixel (y, x, c) = (7n + 3y + x + 50c) mod 256; label n mod 3. */
function makeSplit(count: number): BatchSource {
  const images = new Uint8Array(count * B);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) images[n * B + (y * 64 + x) * 3 + c] = (7 * n + 3 * y + x + 50 * c) % 256;
  return { images, labels: Int32Array.from({ length: count }, (_, n) => n % 3), count };
}
const px = (n: number, y: number, x: number, c: number): number => (7 * n + 3 * y + x + 50 * c) % 256;

async function collect(split: BatchSource, opts: Parameters<typeof batches>[1]): Promise<{ xs: Float32Array[]; ys: number[][]; sizes: number[] }> {
  const xs: Float32Array[] = [];
  const ys: number[][] = [];
  const sizes: number[] = [];
  for await (const b of batches(split, opts)) {
    xs.push(b.xs.dataSync() as Float32Array);
    ys.push(Array.from(b.ys.dataSync()));
    sizes.push(b.size);
    expect(b.xs.dtype).toBe('float32');
    expect(b.ys.dtype).toBe('int32');
    expect(b.xs.shape).toEqual([b.size, 64, 64, 3]);
    b.xs.dispose();
    b.ys.dispose();
  }
  return { xs, ys, sizes };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('prng', () => {
  it('mulberry32 is in [0,1), deterministic, and the permutation is a pure function of (seed, epoch)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    for (let i = 0; i < 100; i++) {
      const v = a.next();
      expect(v).toBe(b.next());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
    const p = epochPermutation(10, 42, 3);
    expect([...p].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...epochPermutation(10, 42, 3)]).toEqual([...p]);
    expect([...epochPermutation(10, 42, 4)]).not.toEqual([...p]);
    expect([...epochPermutation(10, 43, 3)]).not.toEqual([...p]);
    // Pinned: a change here changes every run's data order (and breaks resumability across versions).
    expect([...p]).toMatchInlineSnapshot(`
      [
        4,
        0,
        3,
        1,
        9,
        8,
        7,
        2,
        6,
        5,
      ]
    `);
  });
});

describe('batches', () => {
  it('yields every image once in order without shuffle, pixels / 255, sizes with and without dropLast', async () => {
    const split = makeSplit(5);
    const r = await collect(split, { batchSize: 2, shuffle: false });
    expect(r.sizes).toEqual([2, 2, 1]);
    expect(r.ys).toEqual([[0, 1], [2, 0], [1]]);
    expect(r.xs[1]![(10 * 64 + 20) * 3 + 2]).toBeCloseTo(px(2, 10, 20, 2) / 255, 6);
    expect(r.xs[2]![B - 1]).toBeCloseTo(px(4, 63, 63, 2) / 255, 6);
    expect((await collect(split, { batchSize: 2, shuffle: false, dropLast: true })).sizes).toEqual([2, 2]);
    expect((await collect(split, { batchSize: 2, shuffle: false, drop_last: true })).sizes).toEqual([2, 2]);
  });

  it('shuffles by (seed, epoch): same inputs, same order; prefetch does not change the data', async () => {
    const split = makeSplit(9);
    const a = await collect(split, { batchSize: 4, seed: 5, epoch: 2 });
    const b = await collect(split, { batchSize: 4, seed: 5, epoch: 2, prefetch: false });
    expect(b.ys).toEqual(a.ys);
    expect(b.xs.map((x) => Array.from(x))).toEqual(a.xs.map((x) => Array.from(x)));
    const order = [...epochPermutation(9, 5, 2)];
    expect(a.ys.flat()).toEqual(order.map((i) => i % 3));
    // first pixel of each image reveals its index n: 7n mod 256 / 255
    expect(a.xs.flatMap((x) => Array.from({ length: x.length / B }, (_, k) => Math.round(x[k * B]! * 255) / 7))).toEqual(order);
    const c = await collect(split, { batchSize: 4, seed: 5, epoch: 3 });
    expect(c.ys.flat()).toEqual([...epochPermutation(9, 5, 3)].map((i) => i % 3));
  });

  it('normalises with per-channel mean/std', async () => {
    const split = makeSplit(1);
    const mean: [number, number, number] = [0.5, 0.4, 0.3];
    const std: [number, number, number] = [0.2, 0.25, 0.5];
    const r = await collect(split, { batchSize: 1, normalize: { mean, std } });
    for (const [y, x, c] of [[0, 0, 0], [5, 9, 1], [63, 2, 2]] as const) {
      expect(r.xs[0]![(y * 64 + x) * 3 + c]).toBeCloseTo((px(0, y, x, c) / 255 - mean[c]) / std[c], 5);
    }
    await expect(collect(split, { batchSize: 1, normalize: { mean, std: [1, 0, 1] } })).rejects.toThrow(/^batches\(\): option 'normalize\.std\.1': expected a number > 0, got 0$/);
    await expect(collect(split, { batchSize: 0 })).rejects.toThrow("batches(): option 'batchSize': expected an integer >= 1, got 0");
  });

  it('augments with padded random crops and flips that match a shifted/mirrored source', async () => {
    const split = makeSplit(6);
    const p = 3;
    const r = await collect(split, { batchSize: 6, shuffle: false, seed: 1, augment: { crop: p, flip: true } });
    const x = r.xs[0]!;
    const seen = new Set<string>();
    for (let n = 0; n < 6; n++) {
      let match: string | undefined;
      for (let dy = 0; dy <= 2 * p && !match; dy++)
        for (let dx = 0; dx <= 2 * p && !match; dx++)
          for (const flip of [false, true]) {
            let ok = true;
            for (let y = 0; y < 64 && ok; y += 7)
              for (let xx = 0; xx < 64 && ok; xx += 5) {
                const sy = y + dy - p;
                const sx = (flip ? 63 - xx : xx) + dx - p;
                const want = sy < 0 || sy > 63 || sx < 0 || sx > 63 ? 0 : px(n, sy, sx, 1) / 255;
                if (Math.abs(x[n * B + (y * 64 + xx) * 3 + 1]! - want) > 1e-6) ok = false;
              }
            if (ok) {
              match = `${dx},${dy},${flip}`;
              break;
            }
          }
      expect(match, `image ${n} is not a crop/flip of its source`).toBeDefined();
      seen.add(match!);
    }
    expect(seen.size).toBeGreaterThan(1); // offsets actually vary
    const again = await collect(split, { batchSize: 6, shuffle: false, seed: 1, augment: { crop: p, flip: true } });
    expect(Array.from(again.xs[0]!)).toEqual(Array.from(x));
  });

  it('leaks no tensors, also when the consumer stops early', async () => {
    const split = makeSplit(7);
    const before = tf.memory().numTensors;
    await collect(split, { batchSize: 3, augment: { crop: 2, flip: true } });
    for await (const b of batches(split, { batchSize: 2 })) {
      tf.dispose([b.xs, b.ys]);
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('computeChannelStats', () => {
  it('matches hand-computed values', () => {
    // image 0 all zeros; image 1: R=255, G=51, B=0 everywhere
    const images = new Uint8Array(2 * B);
    for (let i = 0; i < 64 * 64; i++) {
      images[B + 3 * i] = 255;
      images[B + 3 * i + 1] = 51;
    }
    const s = computeChannelStats({ images, labels: new Int32Array(2), count: 2 });
    expect(s.mean[0]).toBeCloseTo(0.5, 12);
    expect(s.mean[1]).toBeCloseTo(0.1, 12);
    expect(s.mean[2]).toBe(0);
    expect(s.std[0]).toBeCloseTo(0.5, 12);
    expect(s.std[1]).toBeCloseTo(0.1, 12); // values 0 and 0.2: std 0.1
    expect(s.std[2]).toBe(0);
  });
});

describe('toTfDataset', () => {
  it('yields {xs, ys} for tf.data and advances the epoch on each iteration', async () => {
    const split = makeSplit(6);
    const ds = toTfDataset(split, { batchSize: 4, seed: 9, epoch: 0 }, tfd);
    const before = tf.memory().numTensors;
    for (const epoch of [0, 1]) {
      const labels: number[] = [];
      await ds.forEachAsync((b) => {
        const { xs, ys } = b as { xs: tf.Tensor; ys: tf.Tensor };
        expect(xs.shape.slice(1)).toEqual([64, 64, 3]);
        labels.push(...Array.from(ys.dataSync()));
        tf.dispose([xs, ys]);
      });
      expect(labels).toEqual([...epochPermutation(6, 9, epoch)].map((i) => i % 3));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
