import type { LayersModel } from '@tensorflow/tfjs-layers';

/** One layer in {@link describeModel}'s summary. */
export interface LayerDescription {
  name: string;
  /** tfjs class name, e.g. `Conv2D`, `Dense`, `BatchNormalization`. */
  className: string;
  /** Output shape with the batch dimension as null, e.g. `[null, 32, 32, 64]`. */
  outputShape: (number | null)[] | (number | null)[][];
  /** Parameters of this layer (trainable and non-trainable). */
  params: number;
}

/** Summary of a model for reports. */
export interface ModelDescription {
  name: string;
  layers: LayerDescription[];
  /** Number of trainable scalars (what PyTorch counts as parameters). */
  trainableParams: number;
  /** Number of non-trainable scalars (batch-norm moving mean and variance). */
  nonTrainableParams: number;
}

const size = (shape: readonly (number | null)[]): number => shape.reduce<number>((a, b) => a * (b ?? 1), 1);

/** Describes a model: its layers with output shapes and parameter counts, and the totals. */
export function describeModel(model: LayersModel): ModelDescription {
  return {
    name: model.name,
    layers: model.layers.map((layer) => ({
      name: layer.name,
      className: layer.getClassName(),
      outputShape: layer.outputShape as (number | null)[] | (number | null)[][],
      params: layer.countParams(),
    })),
    trainableParams: model.trainableWeights.reduce((n, w) => n + size(w.shape), 0),
    nonTrainableParams: model.nonTrainableWeights.reduce((n, w) => n + size(w.shape), 0),
  };
}
