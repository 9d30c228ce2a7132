// TEMPORARY bridge to @regstudy/architectures until its branch is merged: the model names of the
// contract (CONTRACTS.md) and a lazy lookup of its `createModel`. Replace with direct imports
// (`createModel`, `modelNames`) after merging wip/architectures.
import type * as tfl from '@tensorflow/tfjs-layers';

/** Model names of @regstudy/architectures' registry (contract). */
export const registryModelNames = ['initial', 'new', 'resnet18', 'resnet34'] as const;

export interface ModelFactoryContext {
  seed: number;
  numClasses: number;
  inputShape: [number, number, number];
}

type CreateModel = (name: string, opts: { seed: number; numClasses: number; inputShape: [number, number, number] }) => tfl.LayersModel;

/** Builds a registry model by name through @regstudy/architectures' `createModel`. */
export async function createRegistryModel(name: string, ctx: ModelFactoryContext): Promise<tfl.LayersModel> {
  const mod = (await import('@regstudy/architectures')) as unknown as { createModel?: CreateModel };
  if (typeof mod.createModel !== 'function') {
    throw new Error(`@regstudy/architectures does not export createModel (needed for model '${name}')`);
  }
  return mod.createModel(name, { seed: ctx.seed, numClasses: ctx.numClasses, inputShape: ctx.inputShape });
}
