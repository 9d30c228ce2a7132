import type { LayersModel } from '@tensorflow/tfjs-layers';
import { OptionsError, describeValue } from '@regstudy/options';
import { createInitialModel } from './initial-model';
import { createNewModel } from './new-model';
import type { ModelOptions, NewModelOptions, ResNetOptions } from './options';
import { createResNet } from './resnet';

/** The registry's model names, in the paper's order. */
export const modelNames = ['initial', 'new', 'resnet18', 'resnet34'] as const;
export type ModelName = (typeof modelNames)[number];

/** The options each registry name accepts (`depth` is fixed by the name for ResNets). */
export interface ModelOptionsByName {
  initial: ModelOptions;
  new: NewModelOptions;
  resnet18: Omit<ResNetOptions, 'depth'>;
  resnet34: Omit<ResNetOptions, 'depth'>;
}

/** True when `name` is one of {@link modelNames}. */
export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && (modelNames as readonly string[]).includes(name);
}

/**
 * Builds a model by registry name: `'initial'` ({@link createInitialModel}), `'new'`
 * ({@link createNewModel}), `'resnet18'` / `'resnet34'` ({@link createResNet} with that depth).
 *
 * @throws OptionsError listing the valid names when `name` is unknown, or naming the bad option.
 */
export function createModel<N extends ModelName>(name: N, opts?: ModelOptionsByName[N]): LayersModel {
  if (!isModelName(name)) {
    throw new OptionsError('createModel()', { option: 'name', message: `expected one of ${modelNames.join(', ')}, got ${describeValue(name)}` });
  }
  const n: ModelName = name;
  switch (n) {
    case 'initial':
      return createInitialModel(opts as ModelOptions | undefined);
    case 'new':
      return createNewModel(opts as NewModelOptions | undefined);
    case 'resnet18':
    case 'resnet34': {
      const o = (opts ?? {}) as ResNetOptions;
      if ('depth' in o) {
        throw new OptionsError('createModel()', { option: 'depth', message: `is fixed by the name "${n}" (use createResNet to set it), got ${describeValue(o.depth)}` });
      }
      return createResNet({ ...o, depth: n === 'resnet18' ? 18 : 34 });
    }
  }
}
