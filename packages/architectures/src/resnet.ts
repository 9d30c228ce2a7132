import { input, layers, model, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { batchNorm, contextFrom, conv2d, dense, head, relu, type BuildContext } from './build-context';
import { parseOptions } from '@regstudy/options';
import { resNetOptionsSchema, type ResNetOptions } from './options';

const BLOCKS: Record<18 | 34, readonly [number, number, number, number]> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
};
const WIDTHS = [64, 128, 256, 512] as const;

/**
 * torchvision's `BasicBlock`: out = ReLU(BN2(conv2(ReLU(BN1(conv1(x))))) + shortcut(x)), 3x3 convs
 * without bias; shortcut = identity, or conv 1x1/stride + BN (`downsample.0`, `downsample.1`) when
 * the stride or the width changes. Layer names: `<prefix>_conv1`, `<prefix>_bn1`, ...
 */
function basicBlock(
  x: SymbolicTensor,
  prefix: string,
  planes: number,
  stride: number,
  zeroInitResidual: boolean,
  ctx: BuildContext,
): SymbolicTensor {
  const inPlanes = x.shape[3];
  let out = conv2d(x, { name: `${prefix}_conv1`, filters: planes, kernelSize: 3, stride, padding: 1, useBias: false, init: 'kaiming-fan-out' }, ctx);
  out = relu(batchNorm(out, `${prefix}_bn1`, ctx), `${prefix}_relu1`);
  out = conv2d(out, { name: `${prefix}_conv2`, filters: planes, kernelSize: 3, padding: 1, useBias: false, init: 'kaiming-fan-out' }, ctx);
  out = batchNorm(out, `${prefix}_bn2`, ctx, zeroInitResidual);
  let shortcut = x;
  if (stride !== 1 || inPlanes !== planes) {
    shortcut = conv2d(x, { name: `${prefix}_downsample_0`, filters: planes, kernelSize: 1, stride, padding: 0, useBias: false, init: 'kaiming-fan-out' }, ctx);
    shortcut = batchNorm(shortcut, `${prefix}_downsample_1`, ctx);
  }
  const sum = layers.add({ name: `${prefix}_add` }).apply([out, shortcut]) as SymbolicTensor;
  return relu(sum, `${prefix}_relu2`);
}

/**
 * ResNet-18/34 with torchvision's layout (paper section 2.3): stem, four stages of BasicBlocks with
 * 64/128/256/512 channels (stages 2-4 start with stride 2 and a 1x1 projection shortcut), global
 * average pooling, dense to `numClasses` [fc].
 *
 * Layer names are the PyTorch module paths with '.' replaced by '_' (`conv1`, `bn1`,
 * `layer1_0_conv1`, `layer2_0_downsample_0`, `fc`), so torchvision state dicts map one to one.
 *
 * Stem (`stem`): `'imagenet'` (default, the paper's code) is the 7x7/2 conv + BN + ReLU + 3x3/2 max
 * pool: a 64x64 input becomes 16x16 before layer1 and 2x2 before pooling (296 MFLOP/image).
 * `'cifar'` uses a 3x3/1 conv and no max pool: 64x64 before layer1, 8x8 before pooling, about 16x
 * the FLOPs, usually more accurate on 64x64 images. Both have the same state-dict keys, but conv1's
 * kernel is 3x3 instead of 7x7.
 *
 * The 3x3/2 max pool pads with zeros instead of -inf: exact, because it follows a ReLU (inputs >= 0).
 *
 * Initialisation (torchvision): convs `N(0, 2/fan_out)`, BN gamma = 1, beta = 0 (gamma of each
 * block's last BN = 0 with `zeroInitResidual`), fc PyTorch's Linear default. BN uses eps 1e-5 and
 * PyTorch momentum 0.1. Parameters, ResNet-18 with 200 classes: 11,279,112 trainable (plus 9,600
 * non-trainable moving statistics).
 *
 * @throws OptionsError naming the option and the value it got when an option is invalid.
 */
export function createResNet(opts?: ResNetOptions): LayersModel {
  const o = parseOptions(resNetOptionsSchema, opts ?? {}, 'createResNet()');
  const ctx = contextFrom(o);
  const x = input({ shape: o.inputShape, name: 'input' });
  let y: SymbolicTensor;
  if (o.stem === 'imagenet') {
    y = conv2d(x, { name: 'conv1', filters: 64, kernelSize: 7, stride: 2, padding: 3, useBias: false, init: 'kaiming-fan-out' }, ctx);
    y = relu(batchNorm(y, 'bn1', ctx), 'relu');
    y = layers.zeroPadding2d({ padding: 1, name: 'maxpool_pad' }).apply(y) as SymbolicTensor;
    y = layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' }).apply(y) as SymbolicTensor;
  } else {
    y = conv2d(x, { name: 'conv1', filters: 64, kernelSize: 3, stride: 1, padding: 1, useBias: false, init: 'kaiming-fan-out' }, ctx);
    y = relu(batchNorm(y, 'bn1', ctx), 'relu');
  }
  BLOCKS[o.depth].forEach((count, stage) => {
    const planes = WIDTHS[stage] ?? 512;
    for (let b = 0; b < count; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      y = basicBlock(y, `layer${stage + 1}_${b}`, planes, stride, o.zeroInitResidual, ctx);
    }
  });
  y = layers.globalAveragePooling2d({ name: 'avgpool' }).apply(y) as SymbolicTensor;
  y = dense(y, { name: 'fc', units: o.numClasses }, ctx);
  return model({ inputs: x, outputs: head(y, o.softmax), name: o.name ?? `resnet${o.depth}` });
}
