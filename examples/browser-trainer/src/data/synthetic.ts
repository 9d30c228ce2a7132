// A browser-side synthetic data set: learnable, seeded, generated in memory in a few ms.
import { mulberry32 } from '@regstudy/tinyimagenet';
import type { ImageSplit } from './split';

export interface SyntheticOptions {
  classes: number;
  perClass: number;
  imageSize: number;
  split: 'train' | 'val';
  /** the same seed gives the same bytes; train and val use different streams */
  seed: number;
}

/**
 * Generates `classes * perClass` images. Class `c` has a base colour of hue `c / classes` and a
 * stripe pattern of orientation `c * pi / classes`; each image adds a random phase, a random
 * brightness in [0.7, 1] and uniform noise of +-24 levels, so a small CNN can learn the classes
 * but not trivially. Pixel value (per channel k):
 * `clamp(255 * brightness * colour_k * (0.65 + 0.35 * sin(freq * (x cos t + y sin t) + phase)) + noise)`.
 * Images are ordered class by class; the trainer shuffles.
 */
export function generateSyntheticSplit(opts: SyntheticOptions): ImageSplit {
  const { classes, perClass, imageSize: s } = opts;
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`synthetic.classes: expected an integer >= 2, got ${classes}`);
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`synthetic.perClass: expected an integer >= 1, got ${perClass}`);
  if (!Number.isInteger(s) || s < 4) throw new Error(`synthetic.imageSize: expected an integer >= 4, got ${s}`);
  const rng = mulberry32(opts.seed * 2 + (opts.split === 'train' ? 0 : 1));
  const rand = rng.next;
  const count = classes * perClass;
  const images = new Uint8Array(count * s * s * 3);
  const labels = new Int32Array(count);
  let i = 0;
  for (let c = 0; c < classes; c++) {
    const colour = hueToRgb(c / classes);
    const theta = (c * Math.PI) / classes;
    const freq = (2 * Math.PI * (2 + (c % 3))) / s;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    for (let n = 0; n < perClass; n++, i++) {
      labels[i] = c;
      const phase = rand() * 2 * Math.PI;
      const brightness = 0.7 + 0.3 * rand();
      let o = i * s * s * 3;
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          const wave = 0.65 + 0.35 * Math.sin(freq * (x * cos + y * sin) + phase);
          for (let k = 0; k < 3; k++) {
            const v = 255 * brightness * colour[k]! * wave + (rand() - 0.5) * 48;
            images[o++] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
          }
        }
      }
    }
  }
  return {
    images,
    labels,
    classes: Array.from({ length: classes }, (_, c) => ({ wnid: `synth${String(c).padStart(4, '0')}`, words: `synthetic class ${c}` })),
    count,
    split: opts.split,
    imageSize: s,
  };
}

/** RGB in [0.2, 1] for a hue in [0, 1) (HSV with S = 0.8, V = 1): hue 0 is red (1, 0.2, 0.2). */
function hueToRgb(h: number): [number, number, number] {
  const f = (n: number): number => {
    const k = (n + h * 6) % 6;
    return 0.2 + 0.8 * (1 - Math.max(0, Math.min(k, 4 - k, 1)));
  };
  return [f(5), f(3), f(1)];
}
