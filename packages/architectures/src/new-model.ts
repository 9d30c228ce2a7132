import { input, layers, model, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { contextFrom, conv2d, dense, head, leakyRelu, pool2 } from './build-context';
import { parseOptions } from '@regstudy/options';
import { newModelOptionsSchema, requireMinInput, type NewModelOptions } from './options';

/**
 * The paper's New Model (Figure 11; PyTorch module names in brackets). Variant `'paper'` (default):
 *
 * conv 3->10 [conv1] -> ReLU -> 2x2 avg pool -> conv 10->20 [conv2] -> ReLU -> 2x2 max pool
 * -> conv 20->30 [conv3] -> ReLU -> 2x2 max pool -> flatten (8*8*30 = 1920 for 64x64 inputs)
 * -> dropout (0.2) -> dense 1000 [fc1] -> ReLU -> dense numClasses [fc2] -> logits.
 * All convs are 3x3 with padding 1.
 *
 * Variant `'notebook'`: the forward pass of the authors' notebook: leaky ReLU (slope 0.01) instead of
 * ReLU, also applied to the fc2 output, and 2x2 average pooling after all three convs.
 *
 * Trainable parameters with 64x64x3 inputs and 200 classes:
 * 280 + 1,820 + 5,430 + 1920*1000+1000 + 1000*200+200 = 2,128,730.
 *
 * Dropout masks are not seeded (a fixed tfjs dropout seed would repeat the same mask every step).
 *
 * @throws OptionsError naming the option and the value it got when an option is invalid.
 */
export function createNewModel(opts?: NewModelOptions): LayersModel {
  const o = parseOptions(newModelOptionsSchema, opts ?? {}, 'createNewModel()');
  requireMinInput(o.inputShape, 8, 'createNewModel()', 'three 2x2 pools');
  const ctx = contextFrom(o);
  const notebook = o.variant === 'notebook';
  const act = notebook ? undefined : ('relu' as const);
  const after = (t: SymbolicTensor, name: string): SymbolicTensor => (notebook ? leakyRelu(t, `${name}_act`) : t);
  const x = input({ shape: o.inputShape, name: 'input' });
  let y: SymbolicTensor = conv2d(x, { name: 'conv1', filters: 10, kernelSize: 3, padding: 1, useBias: true, activation: act, init: 'torch-default' }, ctx);
  y = pool2(after(y, 'conv1'), 'avg', 'pool1');
  y = conv2d(y, { name: 'conv2', filters: 20, kernelSize: 3, padding: 1, useBias: true, activation: act, init: 'torch-default' }, ctx);
  y = pool2(after(y, 'conv2'), notebook ? 'avg' : 'max', 'pool2');
  y = conv2d(y, { name: 'conv3', filters: 30, kernelSize: 3, padding: 1, useBias: true, activation: act, init: 'torch-default' }, ctx);
  y = pool2(after(y, 'conv3'), notebook ? 'avg' : 'max', 'pool3');
  y = layers.flatten({ name: 'flatten' }).apply(y) as SymbolicTensor;
  if (o.dropout > 0) y = layers.dropout({ rate: o.dropout, name: 'dropout' }).apply(y) as SymbolicTensor;
  y = after(dense(y, { name: 'fc1', units: 1000, activation: act }, ctx), 'fc1');
  y = after(dense(y, { name: 'fc2', units: o.numClasses }, ctx), 'fc2');
  return model({ inputs: x, outputs: head(y, o.softmax), name: o.name ?? 'new' });
}
