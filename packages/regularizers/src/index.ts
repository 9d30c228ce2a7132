// Public API of @regstudy/regularizers: re-exports only.
export { OptionsError } from '@regstudy/options';
export type { OptionIssue } from '@regstudy/options';
export {
  L1Regularizer,
  L2Regularizer,
  ElasticNetRegularizer,
  l1,
  l2,
  elasticNet,
  resolveElasticNet,
  registerRegularizers,
  SERIALIZATION_PACKAGE,
} from './layer-regularizers';
export type { Regularizer, ElasticNetOptions, ElasticNetL1L2, ElasticNetAlphaRatio } from './layer-regularizers';
export { penalty, pytorchWeightDecay } from './penalty';
export type { PenaltyOptions } from './penalty';
export { addCoupledWeightDecay, coupledWeightDecay } from './coupled-weight-decay';
export { proximalL1 } from './proximal-l1';
export type { ProximalL1Options } from './proximal-l1';
export { decoupledWeightDecay } from './decoupled-weight-decay';
export type { DecoupledWeightDecayOptions } from './decoupled-weight-decay';
export type { StepHook, StepContext } from './step-hook';
export { lambdaSchedule } from './lambda-schedule';
export type { LambdaSchedule, LambdaScheduleSpec } from './lambda-schedule';
export { weightStats, weightStatsAsync } from './weight-stats';
export type { WeightStats, WeightStatsOptions, VariableStats, LayerStats, NormStats } from './weight-stats';
export { selectVariables, isBiasOrNormalization } from './select';
export type { VariableSelector } from './select';
export { sumAbs, sumSquares } from './norms';
export { baseVariableName } from './variables';
export type { VariableSource, HasTrainableWeights, LayerWeightLike } from './variables';
