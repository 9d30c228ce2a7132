import type * as tfl from '@tensorflow/tfjs-layers';
import { mixSeed } from '../internal/seeded-random';

interface SeededLayer {
  seed?: number;
}

/** Layers whose `call` draws random numbers from a `seed` field (Dropout, SpatialDropout, ...). */
export function seededLayers(model: tfl.LayersModel): SeededLayer[] {
  return model.layers.filter((l) => /Dropout/.test(l.getClassName())) as unknown as SeededLayer[];
}

/**
 * Gives every dropout layer a fresh seed derived from (seed, epoch, batch, layer index), so masks
 * differ per step but a run (and a resumed run) draws exactly the same masks.
 */
export function reseedDropout(layers: SeededLayer[], seed: number, epoch: number, batch: number): void {
  layers.forEach((layer, i) => {
    layer.seed = mixSeed(seed, epoch, batch, i, 0xd0);
  });
}
