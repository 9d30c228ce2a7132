import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type {
  _FusedMatMulAttrs,
  AvgPoolGradAttrs,
  BatchMatMulAttrs,
  Conv2DAttrs,
  FusedBatchNormAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  MaxPoolAttrs,
  MaxPoolGradAttrs,
  SliceAttrs,
  SumAttrs,
  TensorInfo,
  TileAttrs,
} from '@tensorflow/tfjs-core';
import { avgPoolGrad } from './avg-pool-grad';
import { fusedBatchNorm } from './batch-norm';
import { narrowChannelBroadcast, wideChannelBinary } from './channel-broadcast';
import { installLeanBatchNormGrad } from './batch-norm-grad';
import { batchMatMul } from './batch-mat-mul';
import { conv2dBackpropFilter } from './conv2d-backprop-filter';
import { conv2dBackpropInput } from './conv2d-backprop-input';
import { asRefCountingBackend, castToSameType, identity } from './identity';
import { KernelRunner } from './kernel-runner';
import { asWasmHeapBackend, EARLY_EXIT_MIN_TAPS, hasNaN, maxPoolGrad } from './max-pool-grad';
import { leadingAxesReduce } from './reduce';
import { slice } from './slice';
import { broadcastTile, leadingRepeatTile } from './tile';
import { installBroadcastMeanGrad } from './mean-grad';
import { flagOn, MAX_POOL_GRAD_WASM_FLAG, registerWasmKernelFlags } from './flags';
import { ownGemmMatMul } from './gemm/own-gemm-matmul';
import { channelBinary, rowBroadcastBinary, unaryMap } from './channel-ops';
import { ownFusedMatMul } from './fused-mat-mul';
import { installFusedReluGrad, RELU_GRAD_KERNEL, reluGradKernel } from './relu-grad';
import { pool2dWasm } from './pool';
import { convBiasReluKernel, registerConvBiasReluGradient } from './conv-bias-relu';
import { CONV_BIAS_RELU_KERNEL } from '../conv-bias-relu-kernel-name';
import { forwardConv2d } from './forward-conv2d';
import { sgdMomentum } from './sgd-momentum';
import { SGD_MOMENTUM_KERNEL, type SgdMomentumAttrs } from '../sgd-momentum-kernel-name';

/** Backend name the kernels are registered for. */
const BACKEND = 'wasm';

/** Stock wasm kernels the composite kernels call. */
const USED_KERNELS = [
  'Add', 'AvgPool', 'AvgPoolGrad', 'BatchMatMul', 'Cast', 'Concat', 'Conv2D', 'Conv2DBackpropInput', 'Elu', 'Fill', 'Floor', 'FusedBatchNorm', 'FusedConv2D', '_FusedMatMul', 'Identity', 'LeakyRelu', 'MaxPool', 'MaxPoolGrad', 'Mean', 'Multiply',
  'PadV2', 'Prelu', 'Relu', 'Relu6', 'Reshape', 'Rsqrt', 'Sigmoid', 'Slice', 'Square', 'Sub', 'Sum',
  'StridedSlice', 'Tile',
  'Transpose',
] as const;

/** What {@link registerWasmTrainingKernels} did. */
export interface WasmTrainingKernelsInfo {
  /** Kernels that the wasm backend lacked and that were added. */
  added: string[];
  /** Stock kernels that were replaced by faster compositions (the stock one stays the fallback). */
  replaced: string[];
}

let registered: WasmTrainingKernelsInfo | null = null;

/**
 * Makes `@tensorflow/tfjs-backend-wasm` (4.x) able to train convnets fast, through tfjs-core's
 * public kernel registry:
 *
 * - adds `Conv2DBackpropFilter` (missing in tfjs-backend-wasm): one XNNPACK convolution with batch
 *   and channels swapped; on maps with no more pixels than filter taps, one GEMM over the batch and
 *   a routing pass (`tinyMapFilterGrad`);
 * - replaces `Conv2DBackpropInput` (a naive C++ loop) by a stride-1 XNNPACK convolution of the
 *   padded `dy` with the rotated filter; strided ones (more than 4 input channels, maps larger
 *   than the filter) by one GEMM `dy W^T` and a col2im scatter-add;
 * - replaces `BatchMatMul` so that transposed products (every dense-layer gradient) run on
 *   XNNPACK's GEMM after an explicit `Transpose` instead of the stock naive loop;
 * - replaces `Tile` when it only repeats leading axes of size 1 by a block copy with doubling
 *   `copyWithin`s, and when it otherwise only broadcasts by a broadcasting add;
 * - replaces `AvgPoolGrad` when the windows tile the input (window = stride, no padding) by two
 *   broadcasting kernels;
 * - replaces `Sum` and `Mean` over leading axes (bias and batch-norm reductions) by one XNNPACK
 *   average pooling;
 * - replaces `MaxPoolGrad` (a per-input-pixel gather whose ties go to the last position and which
 *   drops windows of non-positive values) by one first-occurrence argmax pass over the wasm heap,
 *   with the cpu backend's semantics;
 * - replaces `Slice` (which copied the whole input out of the heap first) by copies of the sliced
 *   runs only; the composite kernels above use it too;
 * - replaces `Identity` and same-dtype `Cast` (copies) by a reference-counted share of the input's
 *   buffer;
 * - replaces `Conv2D` and `FusedConv2D` (without bias or activation) on maps smaller than the
 *   filter (ResNet-18's 2x2 maps) by a convolution with image and filter swapped;
 * - replaces stride-1 `Conv2D`, `FusedConv2D` (with a per-channel bias and linear / relu) and
 *   `Conv2DBackpropInput` with at most 32 input and output channels by a generated SIMD128 direct
 *   convolution (`direct-conv.ts`, tfjs flag `REGSTUDY_WASM_DIRECT_CONV`);
 * - replaces `FusedBatchNorm` (a per-element loop) by three XNNPACK broadcasting kernels, and,
 *   while the wasm backend is active, its registered gradient by one with three full-size kernels
 *   instead of ten (`installLeanBatchNormGrad`; other backends keep tfjs-core's gradient; it needs
 *   the gradients registered first, as tfjs-layers and tfjs-core's CJS entry do on import);
 * - while the wasm backend is active, replaces the registered `Mean` gradient (`dy * ones / R`,
 *   three full-size kernels) by `broadcastTo(dy / R)`, one block copy (`installBroadcastMeanGrad`);
 * - replaces `Add`, `Sub` and `Multiply` of a per-channel vector over a tensor with fewer than 48
 *   channels (the bias add of narrow convolutions) by the same op on rows of >= 256 floats, and
 *   with a multiple of 4 channels otherwise, `Relu`, `Square` and the last pass of
 *   `FusedBatchNorm` by generated SIMD128 passes split over the GEMM threads (`channel-ops.ts`,
 *   tfjs flag `REGSTUDY_WASM_CHANNEL_KERNELS`), and small per-row broadcasts (`[R, 1]` with
 *   `[R, C]`: the softmax cross-entropy gradient) by one JavaScript pass;
 * - replaces `_FusedMatMul` (a dense layer's fused forward pass) by our GEMM, then the bias add
 *   and activation (relu on the generated pass; `fused-mat-mul.ts`), and
 *   `Floor` (dropout's mask) by a generated pass;
 * - replaces `MaxPool` and `AvgPool` over windows inside the image by the generated `pool2d`
 *   split over the GEMM threads (`pool.ts`, tfjs flag `REGSTUDY_WASM_POOL_WASM`);
 * - adds `RegstudyConv2DBiasRelu` (with its gradient), the fused training convolution
 *   `lazyConvGradients` runs for layers with a bias and relu (`conv-bias-relu.ts`);
 * - adds `RegstudyReluGrad` and, while the wasm backend is active, makes it the registered `Relu`
 *   gradient (one pass instead of `Step` and `Multiply`; `installFusedReluGrad`);
 * - adds `RegstudySgdMomentum`, the one-pass momentum step `SgdMomentumOptimizer` uses while the
 *   tfjs flag `REGSTUDY_WASM_FUSED_SGD_MOMENTUM` is on (see `sgd-momentum.ts`).
 *
 * Import `@tensorflow/tfjs-backend-wasm` (which registers the stock kernels) before calling this;
 * it may be called before or after `tf.setBackend('wasm')`. Idempotent: later calls return the
 * first call's result.
 *
 * @throws when the stock wasm kernels are not registered.
 */
export function registerWasmTrainingKernels(): WasmTrainingKernelsInfo {
  if (registered !== null) {
    installLeanBatchNormGrad(); // in case the gradients were registered after the first call
    installBroadcastMeanGrad();
    installFusedReluGrad();
    return registered;
  }
  const stock = new Map<string, KernelConfig>();
  for (const name of USED_KERNELS) {
    const config = getKernel(name, BACKEND);
    if (config === undefined) {
      throw new Error(
        `registerWasmTrainingKernels: kernel '${name}' is not registered for backend 'wasm'; ` +
          `import '@tensorflow/tfjs-backend-wasm' before calling it`,
      );
    }
    stock.set(name, config);
  }
  const funcs = new Map<string, KernelFunc>([...stock].map(([k, v]) => [k, v.kernelFunc]));
  const added: string[] = [];
  const replaced: string[] = [];

  const define = (name: string, kernelFunc: KernelFunc): void => {
    const previous = getKernel(name, BACKEND);
    if (previous !== undefined) {
      unregisterKernel(name, BACKEND);
      replaced.push(name);
    } else {
      added.push(name);
    }
    registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc,
      // Keep the stock setup (it binds the C++ function the fallback and our calls use).
      ...(previous?.setupFunc ? { setupFunc: previous.setupFunc } : {}),
      ...(previous?.disposeFunc ? { disposeFunc: previous.disposeFunc } : {}),
    });
  };

  const withRunner = <T>(backend: unknown, body: (r: KernelRunner) => T): T => {
    const r = new KernelRunner(backend as KernelRunner['backend'], funcs);
    try {
      return body(r);
    } finally {
      r.dispose();
    }
  };

  define('Conv2DBackpropFilter', ({ inputs, backend, attrs }) =>
    withRunner(backend, (r) =>
      conv2dBackpropFilter(r, inputs.x as TensorInfo, inputs.dy as TensorInfo, attrs as unknown as Conv2DBackpropFilterAttrs),
    ),
  );

  const stockBackpropInput = funcs.get('Conv2DBackpropInput')!;
  define('Conv2DBackpropInput', (args) =>
    withRunner(args.backend, (r) =>
      conv2dBackpropInput(r, args.inputs.dy as TensorInfo, args.inputs.filter as TensorInfo, args.attrs as unknown as Conv2DBackpropInputAttrs),
    ) ?? stockBackpropInput(args),
  );

  const stockMatMul = funcs.get('BatchMatMul')!;
  define('BatchMatMul', (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    return ownGemmMatMul(args.backend, args.inputs.a as TensorInfo, args.inputs.b as TensorInfo, transposeA, transposeB) ??
    withRunner(args.backend, (r) =>
      batchMatMul(r, args.inputs.a as TensorInfo, args.inputs.b as TensorInfo, args.attrs as unknown as BatchMatMulAttrs),
    ) ?? stockMatMul(args);
  });

  const stockFusedMatMul = funcs.get('_FusedMatMul')!;
  define('_FusedMatMul', (args) =>
    withRunner(args.backend, (r) => ownFusedMatMul(r, args.inputs, args.attrs as unknown as _FusedMatMulAttrs)) ?? stockFusedMatMul(args),
  );

  const stockTile = funcs.get('Tile')!;
  define('Tile', (args) => {
    const heap = asWasmHeapBackend(args.backend);
    const x = args.inputs.x as TensorInfo;
    const attrs = args.attrs as unknown as TileAttrs;
    return (
      (heap && leadingRepeatTile(heap, x, attrs)) ??
      withRunner(args.backend, (r) => broadcastTile(r, x, attrs)) ??
      stockTile(args)
    );
  });

  const stockAvgPoolGrad = funcs.get('AvgPoolGrad')!;
  define('AvgPoolGrad', (args) =>
    withRunner(args.backend, (r) =>
      avgPoolGrad(r, args.inputs.dy as TensorInfo, args.inputs.input as TensorInfo, args.attrs as unknown as AvgPoolGradAttrs),
    ) ?? stockAvgPoolGrad(args),
  );

  for (const [name, op] of [['Sum', 'sum'], ['Mean', 'mean']] as const) {
    const stockReduce = funcs.get(name)!;
    define(name, (args) =>
      withRunner(args.backend, (r) =>
        leadingAxesReduce(r, args.inputs.x as TensorInfo, args.attrs as unknown as SumAttrs, op),
      ) ?? stockReduce(args),
    );
  }

  const stockMaxPoolGrad = funcs.get('MaxPoolGrad')!;
  define('MaxPoolGrad', (args) => {
    const heap = asWasmHeapBackend(args.backend);
    const { dy, input, output } = args.inputs as { dy: TensorInfo; input: TensorInfo; output?: TensorInfo };
    if (!heap) return stockMaxPoolGrad(args);
    // The forward maximum is usable only when x has no NaN (whose max differs between kernels).
    const { filterSize } = args.attrs as unknown as MaxPoolGradAttrs;
    const taps = typeof filterSize === 'number' ? filterSize * filterSize : filterSize[0] * filterSize[1];
    // The generated kernel scans groups of 4 channels without y: skip the NaN check for them.
    const simdOnly = flagOn(MAX_POOL_GRAD_WASM_FLAG) && input.shape.length === 4 && input.shape[3]! % 4 === 0;
    const y = output && !simdOnly && taps >= EARLY_EXIT_MIN_TAPS && withRunner(args.backend, (r) => !hasNaN(r, heap, input)) ? output : undefined;
    return maxPoolGrad(heap, dy, input, args.attrs as unknown as MaxPoolGradAttrs, y) ?? stockMaxPoolGrad(args);
  });

  const stockSlice = funcs.get('Slice')!;
  const fastSlice: KernelFunc = (args) => {
    const heap = asWasmHeapBackend(args.backend);
    return (heap && slice(heap, args.inputs.x as TensorInfo, args.attrs as unknown as SliceAttrs)) ?? stockSlice(args);
  };
  define('Slice', fastSlice);
  funcs.set('Slice', fastSlice);

  const stockIdentity = funcs.get('Identity')!;
  define('Identity', (args) => {
    const rc = asRefCountingBackend(args.backend);
    return (rc && identity(rc, args.inputs.x as TensorInfo)) ?? stockIdentity(args);
  });

  for (const name of ['Conv2D', 'FusedConv2D'] as const) {
    const stockConv = funcs.get(name)!;
    define(name, (args) =>
      withRunner(args.backend, (r) =>
        forwardConv2d(r, args.inputs as Record<string, TensorInfo | undefined>, args.attrs as unknown as Conv2DAttrs & { activation?: string }),
      ) ?? stockConv(args),
    );
  }

  const stockCast = funcs.get('Cast')!;
  define('Cast', (args) => {
    const rc = asRefCountingBackend(args.backend);
    const dtype = (args.attrs as { dtype: string }).dtype;
    return (rc && castToSameType(rc, args.inputs.x as TensorInfo, dtype)) ?? stockCast(args);
  });

  const stockBatchNorm = funcs.get('FusedBatchNorm')!;
  define('FusedBatchNorm', (args) =>
    withRunner(args.backend, (r) =>
      fusedBatchNorm(r, args.inputs as Record<string, TensorInfo | null | undefined>, args.attrs as unknown as FusedBatchNormAttrs),
    ) ?? stockBatchNorm(args),
  );

  for (const name of ['Add', 'Sub', 'Multiply'] as const) {
    const stockBinary = funcs.get(name)!;
    define(name, (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (narrowChannelBroadcast(a, b) === null) {
        return channelBinary(args.backend, name, a, b) ?? rowBroadcastBinary(args.backend, name, a, b) ?? stockBinary(args);
      }
      return withRunner(args.backend, (r) => wideChannelBinary(r, name, a, b)) ?? stockBinary(args);
    });
  }

  for (const [name, max] of [['MaxPool', true], ['AvgPool', false]] as const) {
    const stockPool = funcs.get(name)!;
    define(name, (args) => pool2dWasm(args.backend, args.inputs.x as TensorInfo, args.attrs as unknown as MaxPoolAttrs, max) ?? stockPool(args));
  }

  for (const [name, op] of [['Relu', 'relu'], ['Square', 'square'], ['Floor', 'floor']] as const) {
    const stockUnary = funcs.get(name)!;
    define(name, (args) => unaryMap(args.backend, op, args.inputs.x as TensorInfo) ?? stockUnary(args));
  }

  define(SGD_MOMENTUM_KERNEL, (args) =>
    sgdMomentum(
      args.backend,
      args.inputs as { value: TensorInfo; accumulation: TensorInfo; gradient: TensorInfo },
      args.attrs as unknown as SgdMomentumAttrs,
    ),
  );

  define(RELU_GRAD_KERNEL, reluGradKernel);
  define(CONV_BIAS_RELU_KERNEL, convBiasReluKernel);
  registerConvBiasReluGradient();

  installLeanBatchNormGrad();
  installBroadcastMeanGrad();
  installFusedReluGrad();
  registerWasmKernelFlags();

  registered = { added, replaced };
  return registered;
}
