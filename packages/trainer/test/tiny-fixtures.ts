import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageSplit } from '../src/index';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Deterministic LCG so the data does not depend on Math.random. */
function lcg(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * A learnable tiny split: class c brightens channel (c % 3) in quadrant (c % 4); noise elsewhere.
 * Same shape as @regstudy/tinyimagenet's TinyImageNetSplit (with a small imageSize).
 */
export function tinySplit(opts: { classes: number; perClass: number; imageSize?: number; seed?: number; split?: 'train' | 'val' }): ImageSplit {
  const size = opts.imageSize ?? 8;
  const count = opts.classes * opts.perClass;
  const images = new Uint8Array(count * size * size * 3);
  const labels = new Int32Array(count);
  const rand = lcg(opts.seed ?? 1);
  const half = size / 2;
  for (let i = 0; i < count; i++) {
    const c = i % opts.classes;
    labels[i] = c;
    const qy = (c % 4) >> 1;
    const qx = (c % 4) & 1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let ch = 0; ch < 3; ch++) {
          const inQuadrant = Math.floor(y / half) === qy && Math.floor(x / half) === qx;
          const signal = inQuadrant && ch === c % 3 ? 140 : 0;
          images[((i * size + y) * size + x) * 3 + ch] = Math.min(255, Math.floor(rand() * 100) + signal);
        }
      }
    }
  }
  const classes = Array.from({ length: opts.classes }, (_, k) => ({ wnid: `n${String(k).padStart(8, '0')}`, words: `class ${k}` }));
  return { images, labels, count, imageSize: size, classes, split: opts.split ?? 'train' };
}

/** A small MLP (with dropout) or conv net producing logits. */
export function tinyModel(opts: { classes: number; imageSize?: number; seed?: number; conv?: boolean; batchNorm?: boolean }): tfl.LayersModel {
  const size = opts.imageSize ?? 8;
  const seed = opts.seed ?? 1;
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 100 + k });
  const model = tfl.sequential();
  if (opts.conv) {
    model.add(tfl.layers.conv2d({ inputShape: [size, size, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
    if (opts.batchNorm) model.add(tfl.layers.batchNormalization());
    model.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
    model.add(tfl.layers.flatten());
  } else {
    model.add(tfl.layers.flatten({ inputShape: [size, size, 3] }));
  }
  model.add(tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(2) }));
  model.add(tfl.layers.dropout({ rate: 0.2 }));
  model.add(tfl.layers.dense({ units: opts.classes, kernelInitializer: init(3) }));
  return model;
}
