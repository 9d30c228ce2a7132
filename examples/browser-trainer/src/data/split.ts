// The in-memory image split the page trains on (the layout of @regstudy/tinyimagenet's splits).

/** Images as bytes, NHWC RGB, `count * imageSize * imageSize * 3`; labels are class indices. */
export interface ImageSplit {
  images: Uint8Array;
  labels: Int32Array;
  classes: { wnid: string; words: string }[];
  count: number;
  split: 'train' | 'val';
  imageSize: number;
}
