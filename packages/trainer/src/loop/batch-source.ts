import * as tf from '@tensorflow/tfjs-core';
import {
  batches as tinyImageNetBatches,
  epochPermutation,
  type AugmentOptions,
  type ChannelStats,
} from '@regstudy/tinyimagenet';

/** One mini-batch: float32 NHWC images in [0, 1] and int32 labels. The consumer disposes both. */
export interface Batch {
  xs: tf.Tensor4D;
  ys: tf.Tensor1D;
  /** Number of examples in this batch (the last one may be smaller). */
  size: number;
}

/** What the loop asks of a data source for one pass. */
export interface BatchRequest {
  batchSize: number;
  /** Shuffle the order; the permutation must depend only on (seed, epoch) so runs can resume. */
  shuffle: boolean;
  seed: number;
  /** 1-based epoch number. */
  epoch: number;
}

/** Any data source the trainer can iterate over (a split in memory, a stream, a browser cache). */
export interface BatchSource {
  /** Number of examples in one pass. */
  readonly count: number;
  batches(request: BatchRequest): AsyncIterable<Batch>;
}

/** The in-memory split shape of `@regstudy/tinyimagenet` (structurally typed, no import needed). */
export interface ImageSplit {
  images: Uint8Array;
  labels: Int32Array;
  count: number;
  imageSize: number;
  classes?: readonly { wnid: string; words: string }[];
  split?: string;
}

/** True when `value` has the in-memory split shape. */
export function isImageSplit(value: unknown): value is ImageSplit {
  const v = value as Partial<ImageSplit> | null;
  return (
    v != null && v.images instanceof Uint8Array && v.labels instanceof Int32Array && typeof v.count === 'number'
  );
}

/** Input pipeline options for 64x64 Tiny-ImageNet splits (passed to @regstudy/tinyimagenet's `batches`). */
export interface SplitPipelineOptions {
  /** Default none (the paper's code). */
  augment?: AugmentOptions | false;
  /** Default '0-1': x = p / 255 (the paper's `ToTensor()`). */
  normalize?: '0-1' | ChannelStats;
}

/**
 * Wraps an in-memory split (uint8 NHWC RGB, `imageSize` x `imageSize` x 3 per image) as a
 * {@link BatchSource}. 64x64 splits go through @regstudy/tinyimagenet's `batches` (shuffle a pure
 * function of (seed, epoch), optional augmentation/normalisation, prefetch). Other sizes (small
 * test images) use a plain loop: `x = p / 255`, Fisher-Yates order seeded by (seed, epoch).
 */
export function splitBatchSource(split: ImageSplit, pipeline: SplitPipelineOptions = {}): BatchSource {
  if (split.imageSize === 64) {
    return {
      count: split.count,
      batches: ({ batchSize, shuffle, seed, epoch }) =>
        tinyImageNetBatches(split, { batchSize, shuffle, seed, epoch, augment: pipeline.augment ?? false, normalize: pipeline.normalize ?? '0-1' }),
    };
  }
  if (pipeline.augment || (pipeline.normalize && pipeline.normalize !== '0-1')) {
    throw new TypeError(`splitBatchSource: augment/normalize need 64x64 images (imageSize is ${split.imageSize})`);
  }
  const pixels = split.imageSize * split.imageSize * 3;
  if (split.images.length !== split.count * pixels) {
    throw new RangeError(
      `split.images: expected count*imageSize*imageSize*3 = ${split.count * pixels} bytes, got ${split.images.length}`,
    );
  }
  if (split.labels.length !== split.count) {
    throw new RangeError(`split.labels: expected ${split.count} labels, got ${split.labels.length}`);
  }
  return {
    count: split.count,
    async *batches({ batchSize, shuffle, seed, epoch }: BatchRequest): AsyncIterable<Batch> {
      const order = shuffle ? epochPermutation(split.count, seed, epoch) : null;
      for (let start = 0; start < split.count; start += batchSize) {
        const size = Math.min(batchSize, split.count - start);
        const x = new Float32Array(size * pixels);
        const y = new Int32Array(size);
        for (let i = 0; i < size; i++) {
          const index = order ? order[start + i]! : start + i;
          const offset = index * pixels;
          for (let p = 0; p < pixels; p++) x[i * pixels + p] = split.images[offset + p]! / 255;
          y[i] = split.labels[index]!;
        }
        yield {
          xs: tf.tensor4d(x, [size, split.imageSize, split.imageSize, 3], 'float32'),
          ys: tf.tensor1d(y, 'int32'),
          size,
        };
      }
    },
  };
}

/** Returns `data` as a {@link BatchSource} (wrapping an in-memory split). */
export function toBatchSource(data: ImageSplit | BatchSource): BatchSource {
  return isImageSplit(data) ? splitBatchSource(data) : data;
}
