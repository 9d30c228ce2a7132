import { input, layers, model, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { contextFrom, conv2d, dense, head, pool2 } from './build-context';
import { parseOptions } from '@regstudy/options';
import { modelOptionsSchema, requireMinInput, type ModelOptions } from './options';

/**
 * The paper's Initial Model (Figure 4; PyTorch module names in brackets):
 *
 * conv 3->10, 3x3, padding 1 [conv1] -> ReLU -> 2x2 avg pool -> conv 10->20, 3x3, padding 1 [conv2]
 * -> ReLU -> 2x2 avg pool -> flatten (16*16*20 = 5120 for 64x64 inputs) -> dense 2000 [fc1] -> ReLU
 * -> dense numClasses [fc2] -> logits (or softmax with `softmax: true`).
 *
 * Trainable parameters with 64x64x3 inputs and 200 classes:
 * 280 + 1,820 + 5120*2000+2000 + 2000*200+200 = 10,644,300.
 *
 * Initialisation: PyTorch's defaults (weights and biases `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`),
 * seeded per weight from `seed`.
 *
 * @throws OptionsError naming the option and the value it got when an option is invalid.
 */
export function createInitialModel(opts?: ModelOptions): LayersModel {
  const o = parseOptions(modelOptionsSchema, opts ?? {}, 'createInitialModel()');
  requireMinInput(o.inputShape, 4, 'createInitialModel()', 'two 2x2 pools');
  const ctx = contextFrom(o);
  const x = input({ shape: o.inputShape, name: 'input' });
  let y: SymbolicTensor = conv2d(x, { name: 'conv1', filters: 10, kernelSize: 3, padding: 1, useBias: true, activation: 'relu', init: 'torch-default' }, ctx);
  y = pool2(y, 'avg', 'pool1');
  y = conv2d(y, { name: 'conv2', filters: 20, kernelSize: 3, padding: 1, useBias: true, activation: 'relu', init: 'torch-default' }, ctx);
  y = pool2(y, 'avg', 'pool2');
  y = layers.flatten({ name: 'flatten' }).apply(y) as SymbolicTensor;
  y = dense(y, { name: 'fc1', units: 2000, activation: 'relu' }, ctx);
  y = dense(y, { name: 'fc2', units: o.numClasses }, ctx);
  return model({ inputs: x, outputs: head(y, o.softmax), name: o.name ?? 'initial' });
}
