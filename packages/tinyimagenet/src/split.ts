import type { ClassInfo } from './layout';

/** The two labelled splits of Tiny-ImageNet. */
export type SplitName = 'train' | 'val';

/**
 * A decoded split held in memory. `images` holds `count` images of 64x64x3 uint8 RGB, NHWC
 * (byte of image n, row y, column x, channel c at ((n*64 + y)*64 + x)*3 + c); `labels[n]` is the
 * index into `classes`. Classes are in label order: sorted wnids (see loadTinyImageNet).
 */
export interface TinyImageNetSplit {
  images: Uint8Array;
  labels: Int32Array;
  classes: ClassInfo[];
  count: number;
  split: SplitName;
  imageSize: 64;
  /** Images skipped as undecodable (only with `skipBadImages: true`): `skippedImages.length`. */
  skipped: number;
  /** The images skipped as undecodable, in file order, with why (the decoder's message). */
  skippedImages: SkippedImage[];
  /**
   * `val` only (else empty): images in `val/images/` that have no line in `val/val_annotations.txt`,
   * so no label, and are left out; paths relative to the data set folder, in file-name order.
   */
  unannotatedVal: string[];
}

/** An image left out as undecodable (`skipBadImages: true`). */
export interface SkippedImage {
  /** Path relative to the data set folder, e.g. `train/n01443537/images/n01443537_4.JPEG`. */
  path: string;
  /** Why it could not be decoded (the decoder's message). */
  reason: string;
}

/**
 * Something the loader left out, reported through `onWarning` (see loadTinyImageNet): val images
 * without an annotation line (`unannotated-val`) or images skipped as undecodable (`skipped-images`).
 */
export interface LoadWarning {
  kind: 'unannotated-val' | 'skipped-images';
  /** How many images were left out. */
  count: number;
  /** The first few (at most 5) of them, paths relative to the data set folder. */
  first: string[];
  /** One line for a person: counts, the first paths and where the full list is. */
  message: string;
}

/** Progress of a long operation: `done` of `total` units in the named phase. */
export interface Progress {
  phase: 'scan' | 'decode' | 'write' | 'read' | 'download' | 'verify';
  done: number;
  total: number;
}
