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
  /** Images skipped as undecodable (only with `skipBadImages: true`). */
  skipped: number;
}

/** Progress of a long operation: `done` of `total` units in the named phase. */
export interface Progress {
  phase: 'scan' | 'decode' | 'write' | 'read' | 'download' | 'verify';
  done: number;
  total: number;
}
