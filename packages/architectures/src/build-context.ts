import { initializers, layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { kaimingNormalFanOut, torchDefaultUniform } from './init';
import type { Regularizer, ResolvedModelOptions } from './options';

/** What every layer helper needs: the model seed and the regularizers to attach. */
export interface BuildContext {
  seed: number;
  kernelRegularizer?: Regularizer;
  biasRegularizer?: Regularizer;
  batchNormRegularizer?: Regularizer;
}

export function contextFrom(opts: ResolvedModelOptions): BuildContext {
  return {
    seed: opts.seed,
    kernelRegularizer: opts.kernelRegularizer,
    biasRegularizer: opts.biasRegularizer,
    batchNormRegularizer: opts.batchNormRegularizer,
  };
}

function channelsOf(x: SymbolicTensor): number {
  const c = x.shape[x.shape.length - 1];
  if (typeof c !== 'number') throw new Error(`layer input ${x.name} has an unknown channel count`);
  return c;
}

/** A PyTorch-style `nn.Conv2d` (symmetric zero padding `padding` on each side). */
export interface ConvSpec {
  /** Layer name: the PyTorch module path with '.' replaced by '_' (e.g. `layer1_0_conv1`). */
  name: string;
  filters: number;
  kernelSize: number;
  stride?: number;
  padding: number;
  useBias: boolean;
  activation?: 'relu';
  /** `'torch-default'`: PyTorch's Conv2d default; `'kaiming-fan-out'`: torchvision ResNet. */
  init: 'torch-default' | 'kaiming-fan-out';
}

/**
 * Adds a conv layer whose output matches PyTorch's exactly. With stride 1 and
 * `padding = (k - 1) / 2`, tfjs `'same'` padding is symmetric and equals PyTorch's. Otherwise (e.g. the
 * 7x7/2 stem, 3x3/2 convs) TensorFlow's `'same'` would pad asymmetrically (more at the bottom/right),
 * so an explicit `ZeroPadding2D` named `<name>_pad` followed by a `'valid'` conv is used.
 */
export function conv2d(x: SymbolicTensor, spec: ConvSpec, ctx: BuildContext): SymbolicTensor {
  const stride = spec.stride ?? 1;
  const k = spec.kernelSize;
  const inChannels = channelsOf(x);
  let input = x;
  let padding: 'same' | 'valid' = 'valid';
  if (stride === 1 && 2 * spec.padding === k - 1) {
    padding = 'same';
  } else if (spec.padding > 0) {
    input = layers.zeroPadding2d({ padding: spec.padding, name: `${spec.name}_pad` }).apply(x) as SymbolicTensor;
  }
  const fanIn = inChannels * k * k;
  const kernelInitializer =
    spec.init === 'torch-default'
      ? torchDefaultUniform(fanIn, ctx.seed, spec.name, 'kernel')
      : kaimingNormalFanOut(spec.filters * k * k, ctx.seed, spec.name, 'kernel');
  return layers
    .conv2d({
      name: spec.name,
      filters: spec.filters,
      kernelSize: k,
      strides: stride,
      padding,
      useBias: spec.useBias,
      activation: spec.activation ?? 'linear',
      kernelInitializer,
      biasInitializer: spec.useBias ? torchDefaultUniform(fanIn, ctx.seed, spec.name, 'bias') : undefined,
      kernelRegularizer: ctx.kernelRegularizer,
      biasRegularizer: spec.useBias ? ctx.biasRegularizer : undefined,
    })
    .apply(input) as SymbolicTensor;
}

/** A PyTorch-style `nn.Linear` with PyTorch's default initialisation. */
export function dense(
  x: SymbolicTensor,
  spec: { name: string; units: number; activation?: 'relu' },
  ctx: BuildContext,
): SymbolicTensor {
  const fanIn = channelsOf(x);
  return layers
    .dense({
      name: spec.name,
      units: spec.units,
      activation: spec.activation ?? 'linear',
      kernelInitializer: torchDefaultUniform(fanIn, ctx.seed, spec.name, 'kernel'),
      biasInitializer: torchDefaultUniform(fanIn, ctx.seed, spec.name, 'bias'),
      kernelRegularizer: ctx.kernelRegularizer,
      biasRegularizer: ctx.biasRegularizer,
    })
    .apply(x) as SymbolicTensor;
}

/**
 * A PyTorch-style `nn.BatchNorm2d`: eps = 1e-5; PyTorch momentum 0.1 is tfjs momentum 0.9
 * (`running = 0.9 * running + 0.1 * batch`); gamma = 1 (or 0 with `zeroGamma`), beta = 0.
 */
export function batchNorm(x: SymbolicTensor, name: string, ctx: BuildContext, zeroGamma = false): SymbolicTensor {
  return layers
    .batchNormalization({
      name,
      axis: -1,
      momentum: 0.9,
      epsilon: 1e-5,
      gammaInitializer: zeroGamma ? initializers.zeros() : initializers.ones(),
      betaInitializer: initializers.zeros(),
      gammaRegularizer: ctx.batchNormRegularizer,
      betaRegularizer: ctx.batchNormRegularizer,
    })
    .apply(x) as SymbolicTensor;
}

export function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.reLU({ name }).apply(x) as SymbolicTensor;
}

/** Leaky ReLU with PyTorch's default slope 0.01 (`F.leaky_relu`). */
export function leakyRelu(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.leakyReLU({ name, alpha: 0.01 }).apply(x) as SymbolicTensor;
}

/** `nn.AvgPool2d(2, 2)` / `nn.MaxPool2d(2, 2)`: 2x2 window, stride 2, no padding (floor). */
export function pool2(x: SymbolicTensor, kind: 'avg' | 'max', name: string): SymbolicTensor {
  const args = { name, poolSize: 2, strides: 2, padding: 'valid' as const };
  const layer = kind === 'avg' ? layers.averagePooling2d(args) : layers.maxPooling2d(args);
  return layer.apply(x) as SymbolicTensor;
}

/** Optional softmax head (the models output logits by default). */
export function head(x: SymbolicTensor, softmax: boolean): SymbolicTensor {
  return softmax ? (layers.softmax({ name: 'softmax' }).apply(x) as SymbolicTensor) : x;
}
