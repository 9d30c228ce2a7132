import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { IMAGE_BYTES, IMAGE_SIZE } from './layout';
import { parseOptions } from './options';
import { epochPermutation, mixSeed, mulberry32 } from './prng';
import type { TinyImageNetSplit } from './split';

/** What batches need from a split: images (uint8 NHWC 64x64x3), labels and count. */
export type BatchSource = Pick<TinyImageNetSplit, 'images' | 'labels' | 'count'>;

/** Per-channel statistics in [0, 1] pixel units (value / 255), order R, G, B. */
export interface ChannelStats {
  mean: [number, number, number];
  std: [number, number, number];
}

/** Augmentation applied to each image independently. */
export interface AugmentOptions {
  /**
   * Random crop with zero padding, in pixels (PyTorch `RandomCrop(64, padding=p)`): the image is
   * padded by p black pixels on every side and a 64x64 window at a uniform offset
   * (dx, dy) in {0..2p}^2 is taken. Default 0 (off).
   */
  crop?: number;
  /** Horizontal flip with probability 1/2. Default false. */
  flip?: boolean;
}

/** Options of {@link batches}. */
export interface BatchOptions {
  batchSize: number;
  /** Shuffle with a permutation that is a pure function of (seed, epoch). Default true. */
  shuffle?: boolean;
  seed?: number;
  /** Epoch number (any integer): selects the permutation and augmentation draws. Default 0. */
  epoch?: number;
  augment?: AugmentOptions | false;
  /**
   * '0-1' (default): x = v / 255. { mean, std } (in 0-1 units, e.g. from computeChannelStats):
   * x = (v / 255 - mean_c) / std_c. Padding pixels of the crop are v = 0 before normalisation.
   */
  normalize?: '0-1' | ChannelStats;
  /** Drop a last batch smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** Alias of dropLast (PyTorch's name). */
  drop_last?: boolean;
  /** Build the next batch's pixels while the consumer works on the current one. Default true. */
  prefetch?: boolean;
}

/** One batch: xs float32 [size, 64, 64, 3], ys int32 [size]. The consumer disposes both. */
export type Batch = { xs: tf.Tensor4D; ys: tf.Tensor1D; size: number };

const triple = z.tuple([z.number(), z.number(), z.number()]);
const schema = z.object({
  batchSize: z.number().int().min(1),
  shuffle: z.boolean().default(true),
  seed: z.number().int().default(0),
  epoch: z.number().int().default(0),
  augment: z
    .union([z.literal(false), z.object({ crop: z.number().int().min(0).max(32).default(0), flip: z.boolean().default(false) })])
    .default(false),
  normalize: z
    .union([z.literal('0-1'), z.object({ mean: triple, std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]) })])
    .default('0-1'),
  dropLast: z.boolean().optional(),
  drop_last: z.boolean().optional(),
  prefetch: z.boolean().default(true),
});

function checkSource(split: BatchSource, where: string): void {
  if (split.images.byteLength < split.count * IMAGE_BYTES) {
    throw new TypeError(`${where}: images hold ${split.images.byteLength} bytes, ${split.count} images need ${split.count * IMAGE_BYTES}`);
  }
  if (split.labels.length < split.count) throw new TypeError(`${where}: ${split.labels.length} labels for ${split.count} images`);
}

/** lut[c*256 + v] = (v/255 - mean_c) / std_c. */
function normalizationTable(n: '0-1' | ChannelStats): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = n === '0-1' ? 0 : n.mean[c]!;
    const std = n === '0-1' ? 1 : n.std[c]!;
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - mean) / std;
  }
  return lut;
}

interface Plan {
  order: Uint32Array;
  batches: number;
  size: (b: number) => number;
}

/** Number of batches and their sizes for `count` images. */
export function planBatches(count: number, batchSize: number, dropLast: boolean): { batches: number; lastSize: number } {
  const full = Math.floor(count / batchSize);
  const rest = count - full * batchSize;
  if (rest === 0 || dropLast) return { batches: full, lastSize: batchSize };
  return { batches: full + 1, lastSize: rest };
}

/**
 * Writes image `src` of `images` into `out` at float offset `o`, cropped/flipped and normalised:
 * out(y, x, c) = lut_c(P(y + dy - p, x' + dx - p, c)), x' = flip ? 63 - x : x, where P is the
 * image with zero padding outside [0, 63]^2.
 */
function fillImage(images: Uint8Array, src: number, out: Float32Array, o: number, lut: Float32Array, p: number, dx: number, dy: number, flip: boolean): void {
  const S = IMAGE_SIZE;
  const base = src * IMAGE_BYTES;
  if (p === 0 && !flip) {
    for (let i = 0; i < IMAGE_BYTES; i += 3) {
      out[o + i] = lut[images[base + i]!]!;
      out[o + i + 1] = lut[256 + images[base + i + 1]!]!;
      out[o + i + 2] = lut[512 + images[base + i + 2]!]!;
    }
    return;
  }
  const pad0 = lut[0]!;
  const pad1 = lut[256]!;
  const pad2 = lut[512]!;
  for (let y = 0; y < S; y++) {
    const sy = y + dy - p;
    for (let x = 0; x < S; x++) {
      const sx = (flip ? S - 1 - x : x) + dx - p;
      const d = o + (y * S + x) * 3;
      if (sy < 0 || sy >= S || sx < 0 || sx >= S) {
        out[d] = pad0;
        out[d + 1] = pad1;
        out[d + 2] = pad2;
      } else {
        const s = base + (sy * S + sx) * 3;
        out[d] = lut[images[s]!]!;
        out[d + 1] = lut[256 + images[s + 1]!]!;
        out[d + 2] = lut[512 + images[s + 2]!]!;
      }
    }
  }
}

const nextTick: (f: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (f) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(f)
    : (f) => setTimeout(f, 0);

/**
 * Iterates over one epoch of a split in batches of float32 images and int32 labels.
 *
 * The sample order is a Fisher-Yates permutation driven by Mulberry32 seeded with
 * mix(seed, epoch) (see prng.ts), so it is identical on every machine and a run resumed at
 * epoch e reproduces it. Crop offsets and flips come from a second generator seeded with
 * mix(seed, epoch, 'AUG'), drawn in sample order. With `prefetch`, the pixels of batch b+1 are
 * built in a macrotask scheduled when batch b is handed out, so the work overlaps with the
 * consumer's asynchronous training step. Tensors are created only when a batch is yielded;
 * the consumer owns and disposes `xs` and `ys` (breaking out early leaks nothing).
 */
export async function* batches(split: BatchSource, options: BatchOptions): AsyncGenerator<Batch, void, undefined> {
  const o = parseOptions(schema, options, 'batches()');
  checkSource(split, 'batches');
  const dropLast = o.dropLast ?? o.drop_last ?? false;
  const { batches: nb, lastSize } = planBatches(split.count, o.batchSize, dropLast);
  const order = o.shuffle ? epochPermutation(split.count, o.seed, o.epoch) : Uint32Array.from({ length: split.count }, (_, i) => i);
  const plan: Plan = { order, batches: nb, size: (b) => (b === nb - 1 ? lastSize : o.batchSize) };
  const lut = normalizationTable(o.normalize);
  const aug = o.augment === false ? { crop: 0, flip: false } : o.augment;
  const rng = mulberry32(mixSeed(o.seed, o.epoch, 0x415547));
  const build = (b: number): { x: Float32Array; y: Int32Array } => {
    const size = plan.size(b);
    const x = new Float32Array(size * IMAGE_BYTES);
    const y = new Int32Array(size);
    for (let k = 0; k < size; k++) {
      const idx = plan.order[b * o.batchSize + k]!;
      y[k] = split.labels[idx]!;
      const dx = aug.crop > 0 ? rng.int(2 * aug.crop + 1) : 0;
      const dy = aug.crop > 0 ? rng.int(2 * aug.crop + 1) : 0;
      const flip = aug.flip ? rng.next() < 0.5 : false;
      fillImage(split.images, idx, x, k * IMAGE_BYTES, lut, aug.crop, dx, dy, flip);
    }
    return { x, y };
  };
  const schedule = (b: number): Promise<{ x: Float32Array; y: Int32Array }> =>
    new Promise((resolve, reject) =>
      nextTick(() => {
        try {
          resolve(build(b));
        } catch (e) {
          reject(e);
        }
      }),
    );
  let pending: Promise<{ x: Float32Array; y: Int32Array }> | undefined = nb > 0 ? Promise.resolve(build(0)) : undefined;
  for (let b = 0; b < nb; b++) {
    const cur = await pending!;
    pending = b + 1 < nb ? (o.prefetch ? schedule(b + 1) : Promise.resolve().then(() => build(b + 1))) : undefined;
    // Avoid an unhandled rejection if the consumer stops before awaiting the prefetched batch.
    pending?.catch(() => undefined);
    const size = cur.y.length;
    yield { xs: tf.tensor4d(cur.x, [size, IMAGE_SIZE, IMAGE_SIZE, 3], 'float32'), ys: tf.tensor1d(cur.y, 'int32'), size };
  }
}

/**
 * Per-channel mean and standard deviation over all pixels of the first `count` images, in 0-1
 * units: mean_c = S1_c / (255 N), std_c = sqrt(S2_c / (255^2 N) - mean_c^2) (population std),
 * with S1 = sum of v and S2 = sum of v^2 over N = count*64*64 pixels (exact integer sums).
 */
export function computeChannelStats(split: BatchSource): ChannelStats {
  checkSource(split, 'computeChannelStats');
  const n = split.count * IMAGE_SIZE * IMAGE_SIZE;
  if (n === 0) throw new TypeError('computeChannelStats: the split has no images');
  const s1 = [0, 0, 0];
  const s2 = [0, 0, 0];
  const img = split.images;
  // Per-image partial sums stay below 2^31, then are added to the float64 totals (exact).
  for (let i = 0; i < split.count; i++) {
    let a0 = 0, a1 = 0, a2 = 0, b0 = 0, b1 = 0, b2 = 0;
    const end = (i + 1) * IMAGE_BYTES;
    for (let j = i * IMAGE_BYTES; j < end; j += 3) {
      const r = img[j]!, g = img[j + 1]!, bl = img[j + 2]!;
      a0 += r;
      a1 += g;
      a2 += bl;
      b0 += r * r;
      b1 += g * g;
      b2 += bl * bl;
    }
    s1[0]! += a0;
    s1[1]! += a1;
    s1[2]! += a2;
    s2[0]! += b0;
    s2[1]! += b1;
    s2[2]! += b2;
  }
  const mean = s1.map((s) => s / (255 * n)) as [number, number, number];
  const std = s2.map((s, c) => Math.sqrt(Math.max(0, s / (255 * 255 * n) - mean[c]! ** 2))) as [number, number, number];
  return { mean, std };
}

/** The part of `@tensorflow/tfjs-data` that {@link toTfDataset} uses: `tf.data.generator`. */
export interface TfDataGenerator<D> {
  generator(make: () => AsyncIterator<{ xs: tf.Tensor4D; ys: tf.Tensor1D }>): D;
}

/**
 * Wraps {@link batches} as a `tf.data.Dataset` of `{ xs, ys }` for `model.fitDataset`. Pass the
 * tf.data namespace (`tf.data` from '@tensorflow/tfjs', or `import * as tfd from
 * '@tensorflow/tfjs-data'`), which keeps tfjs-data an optional peer. Each new iteration of the
 * dataset (one per epoch in fitDataset) uses the next epoch number, starting at `options.epoch`.
 */
export function toTfDataset<D>(split: BatchSource, options: BatchOptions, tfData: TfDataGenerator<D>): D {
  parseOptions(schema, options, 'toTfDataset()');
  let epoch = options.epoch ?? 0;
  return tfData.generator(() => {
    const it = batches(split, { ...options, epoch: epoch++ });
    return {
      async next() {
        const r = await it.next();
        if (r.done) return { done: true, value: undefined };
        return { done: false, value: { xs: r.value.xs, ys: r.value.ys } };
      },
    };
  });
}
