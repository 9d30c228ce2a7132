import type * as tfl from '@tensorflow/tfjs-layers';
import { createModel, modelNames } from '@regstudy/architectures';

/** Model names of @regstudy/architectures' registry. */
export const registryModelNames: readonly string[] = modelNames;

/** What a model factory gets for one run. */
export interface ModelFactoryContext {
  seed: number;
  numClasses: number;
  inputShape: [number, number, number];
}

/** Builds a registry model by name through @regstudy/architectures' `createModel` (logits out). */
export function createRegistryModel(name: string, ctx: ModelFactoryContext): tfl.LayersModel {
  if (!(modelNames as readonly string[]).includes(name)) throw new Error(`unknown model '${name}'`);
  return createModel(name as (typeof modelNames)[number], {
    seed: ctx.seed,
    numClasses: ctx.numClasses,
    inputShape: ctx.inputShape,
  });
}
