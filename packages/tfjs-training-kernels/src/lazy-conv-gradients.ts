import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CONV_BIAS_RELU_KERNEL, type ConvBiasReluAttrs } from './conv-bias-relu-kernel-name';

/** The part of a tfjs-layers `Conv2D` config this module reads (`layer.getConfig()`). */
interface Conv2DConfig {
  strides?: number | number[];
  padding?: string;
  dataFormat?: string;
  dilationRate?: number | number[];
  activation?: string | { className?: string };
  useBias?: boolean;
}

/** Marks a layer whose `call` this module replaced (so that it is never patched twice). */
const PATCHED = Symbol.for('regstudy.trainer.lazyConvGradients');

type PatchableLayer = tfl.layers.Layer & {
  call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
  [PATCHED]?: true;
};

const pair = (v: number | number[] | undefined, name: string): [number, number] => {
  if (v === undefined) return [1, 1];
  if (typeof v === 'number') return [v, v];
  const [a, b] = v;
  if (a === undefined) throw new Error(`lazyConvGradients: Conv2D config field ${name} is empty`);
  return [a, b ?? a];
};

const activationName = (a: Conv2DConfig['activation']): string | undefined =>
  typeof a === 'string' ? a : a?.className;

/**
 * What this module does with `layer`: `'linear'` for a channels-last, 'same'/'valid', undilated
 * 2-D convolution with no bias and a linear activation (ResNet's convolutions, followed by batch
 * norm: `fused.conv2d(x, W)` and `conv2d(x, W)` are the same sum of products, computed by the same
 * kernels); `'biasRelu'` for one with a bias and a relu activation (the Initial and New models':
 * during training tfjs-core runs these unfused, `conv2d`, `add`, `relu`, three passes over the
 * output); null for anything else.
 */
function convKind(layer: tfl.layers.Layer): 'linear' | 'biasRelu' | null {
  if (layer.getClassName() !== 'Conv2D') return null;
  const c = layer.getConfig() as Conv2DConfig;
  const dil = pair(c.dilationRate, 'dilationRate');
  const plainGeometry = (c.dataFormat ?? 'channelsLast') === 'channelsLast' && (c.padding === 'same' || c.padding === 'valid') && dil[0] === 1 && dil[1] === 1;
  if (!plainGeometry) return null;
  const activation = activationName(c.activation) ?? 'linear';
  if (c.useBias === false && activation === 'linear') return 'linear';
  if (c.useBias === true && activation === 'relu') return 'biasRelu';
  return null;
}

const onlyInput = (layer: tfl.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (x === undefined || (Array.isArray(inputs) && inputs.length !== 1)) {
    throw new Error(`lazyConvGradients: layer ${layer.name} expects exactly one input`);
  }
  return x;
};

/**
 * Makes the linear, bias-free 2-D convolutions of `model` (see below) run `tf.conv2d` instead of
 * tfjs-core's `fused.conv2d` while the returned function has not been called (it restores them).
 *
 * Why: during training (`gradientDepth > 0`) tfjs-core records a linear fused convolution as a
 * `customGrad` whose gradient function computes BOTH `dx = conv2DBackpropInput(dy, W)` and
 * `dW = conv2DBackpropFilter(x, dy)` as soon as the tape reaches it, even when `x` is the input
 * image, whose gradient nobody asks for. `tf.conv2d`'s registered gradient is lazy: the tape calls
 * only the input gradients on a path to the trained variables, so the first convolution's
 * `dx` (ResNet-18's 7x7 stem at batch 64: `[64, 70, 70, 3]`, ~48 ms of a ~1.9 s wasm step) is
 * never computed.
 *
 * Same results: with no bias and a linear activation the fused op adds nothing to the convolution
 *
 *   y[n, i, j, o] = sum_{a, b, c} xpad[n, i*sh + a, j*sw + b, c] * W[a, b, c, o],
 *
 * both ops run the backend's convolution kernel with the same geometry, and both gradients call
 * `conv2DBackpropInput` / `conv2DBackpropFilter` with the same arguments. Layers with a bias, a
 * fused activation, dilation or channels-first data are left alone (a bias fused into the
 * convolution rounds differently from a separate add on some backends).
 *
 * Also, where the active backend has the kernel `RegstudyConv2DBiasRelu` (the wasm backend after
 * `registerWasmTrainingKernels`), convolutions with a bias and a relu activation run it instead of
 * tfjs-core's unfused `conv2d`, `add`, `relu`: the same bits (see `CONV_BIAS_RELU_KERNEL`), in one
 * pass where the direct convolution computes them, with a gradient that, like the unfused ops',
 * computes only what the tape asks for. Elsewhere those layers run their own `call`.
 *
 * Only the layer instances change (an own `call` property shadowing `Conv2D.prototype.call`);
 * configs, weights and serialisation are untouched. Nested models are walked. Calling it again on
 * a patched model patches nothing more, and its restore function restores nothing.
 *
 * @returns a function that puts the original `call` back on every layer this call patched.
 */
export function lazyConvGradients(model: tfl.LayersModel): () => void {
  const patched: PatchableLayer[] = [];
  const visit = (layers: tfl.layers.Layer[]): void => {
    for (const layer of layers) {
      const nested = (layer as { layers?: tfl.layers.Layer[] }).layers;
      if (Array.isArray(nested)) visit(nested);
      const l = layer as PatchableLayer;
      if (l[PATCHED]) continue;
      const kind = convKind(layer);
      if (kind === null) continue;
      const linear = kind === 'linear';
      const c = layer.getConfig() as Conv2DConfig;
      const strides = pair(c.strides, 'strides');
      const pad = c.padding as 'same' | 'valid';
      if (linear) {
        // A bias-free Conv2D has exactly one weight, its kernel [kh, kw, Ci, Co].
        const kernel = layer.weights.length === 1 ? layer.weights[0] : undefined;
        if (kernel === undefined) continue;
        l.call = (inputs) => tf.tidy(() => tf.conv2d(onlyInput(layer, inputs) as tf.Tensor4D, kernel.read() as tf.Tensor4D, strides, pad, 'NHWC', 1));
      } else {
        // kernel [kh, kw, Ci, Co], then bias [Co]
        const [kernel, bias] = layer.weights;
        if (layer.weights.length !== 2 || kernel === undefined || bias === undefined) continue;
        const own = l.call.bind(l);
        const attrs: ConvBiasReluAttrs = { strides, pad };
        l.call = (inputs, kwargs) => {
          if (tf.getKernel(CONV_BIAS_RELU_KERNEL, tf.getBackend()) === undefined) return own(inputs, kwargs);
          const x = onlyInput(layer, inputs);
          return tf.tidy(() => tf.engine().runKernel(CONV_BIAS_RELU_KERNEL, { x, filter: kernel.read(), bias: bias.read() }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor);
        };
      }
      l[PATCHED] = true;
      patched.push(l);
    }
  };
  visit(model.layers);
  return () => {
    for (const l of patched) {
      delete (l as Partial<PatchableLayer>).call;
      delete l[PATCHED];
    }
    patched.length = 0;
  };
}
