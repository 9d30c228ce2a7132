// Public API of @regstudy/architectures: re-exports only.
export { OptionsError } from '@regstudy/options';
export type { OptionIssue } from '@regstudy/options';
export { createInitialModel } from './initial-model';
export { createNewModel } from './new-model';
export { createResNet } from './resnet';
export { createModel, isModelName, modelNames } from './registry';
export type { ModelName, ModelOptionsByName } from './registry';
export { describeModel } from './describe';
export type { LayerDescription, ModelDescription } from './describe';
export { deriveSeed } from './seed';
export type { Initializer, ModelOptions, NewModelOptions, Regularizer, ResNetOptions } from './options';
export { exportTorchStateDict, loadTorchStateDict, torchParameters } from './torch-state-dict';
export type { LoadTorchOptions, TorchParameter } from './torch-state-dict';
export { readSafetensors, safetensorsToFloat32, writeSafetensors } from './safetensors';
export type { Float32TensorRecord, SafetensorsEntry, SafetensorsFile } from './safetensors';
