import { backend_util, engine, getKernel, registerGradient, sum } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { CONV_BIAS_RELU_KERNEL, type ConvBiasReluAttrs } from '../../conv-bias-relu-kernel-name';
import { directConv2d, directConvTakes } from './direct-conv';
import { winogradTakes } from './winograd-conv';
import { RELU_GRAD_KERNEL } from './relu-grad';

const convAttrs = (a: ConvBiasReluAttrs): NamedAttrMap =>
  ({ strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined }) as unknown as NamedAttrMap;

/**
 * Whether our `Conv2D` would run this plain convolution on the direct kernel (`forward-conv2d.ts`:
 * Winograd goes first where it qualifies, and its bits differ from the direct kernel's), so that
 * the fused pass gives exactly the unfused result.
 */
function directForPlain(backend: unknown, x: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): boolean {
  return directConvTakes(info.inChannels, info.outChannels) && !winogradTakes(backend, info, x, filter);
}

/**
 * The kernel function of {@link CONV_BIAS_RELU_KERNEL} for wasm: one pass of the direct
 * convolution with the bias and relu in its epilogue where our `Conv2D` itself would use the
 * direct kernel; otherwise the registered
 * `Conv2D`, `Add` and `Relu` kernels one after the other. Either way the bits of
 * `relu(conv2d(x, filter) + bias)`.
 */
export const convBiasReluKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter, bias } = inputs as { x: TensorInfo; filter: TensorInfo; bias: TensorInfo };
  const a = attrs as unknown as ConvBiasReluAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], a.strides, 1, a.pad);
  if (directForPlain(backend, x, filter, info)) {
    const fused = directConv2d(backend, x, filter, bias, true, info);
    if (fused !== null) return fused;
  }
  const run = (name: string, ins: Record<string, TensorInfo>, at: NamedAttrMap = {}): TensorInfo => {
    const k = getKernel(name, 'wasm');
    if (k === undefined) throw new Error(`${CONV_BIAS_RELU_KERNEL}: kernel '${name}' is not registered for wasm`);
    return k.kernelFunc({ inputs: ins, backend, attrs: at }) as TensorInfo;
  };
  const be = backend as { disposeData(dataId: object): boolean };
  const z = run('Conv2D', { x, filter }, convAttrs(a));
  const zb = run('Add', { a: z, b: bias });
  be.disposeData(z.dataId);
  const y = run('Relu', { x: zb });
  be.disposeData(zb.dataId);
  return y;
};

let gradientRegistered = false;

/**
 * Registers the gradient of {@link CONV_BIAS_RELU_KERNEL} (once): with `dz = reluGrad(dy, y)`
 * (computed once), `x: conv2DBackpropInput(dz)`, `filter: conv2DBackpropFilter(x,
 * dz)`, `bias: sum(dz)` over all axes but the last; each only when the tape asks for it, as the
 * unfused ops' gradients (and with their kernels and their bits).
 */
export function registerConvBiasReluGradient(): void {
  if (gradientRegistered) return;
  registerGradient({
    kernelName: CONV_BIAS_RELU_KERNEL,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as [Tensor, Tensor, Tensor];
      const a = attrs as unknown as ConvBiasReluAttrs;
      // Computed here, not in a thunk: the tape runs each thunk in its own tidy, and the filter's
      // gradient is always asked for (it is a trained weight).
      const dz = engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as Tensor, x: y }) as Tensor;
      return {
        x: () => engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...convAttrs(a), inputShape: x.shape } as unknown as NamedAttrMap) as Tensor,
        filter: () => engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...convAttrs(a), filterShape: filter.shape } as unknown as NamedAttrMap) as Tensor,
        bias: () => sum(dz, [0, 1, 2]),
      };
    },
  });
  gradientRegistered = true;
}
