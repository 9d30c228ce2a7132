import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { installLeanBatchNormGrad } from './ops/batch-norm-grad';
import { registerConvBiasReluGradient } from './ops/conv-bias-relu';
import { registerWasmKernelFlags } from './flags';
import { addConfig } from './kernels/Add';
import { avgPoolConfig } from './kernels/AvgPool';
import { avgPoolGradConfig } from './kernels/AvgPoolGrad';
import { batchMatMulConfig } from './kernels/BatchMatMul';
import { castConfig } from './kernels/Cast';
import { conv2DConfig } from './kernels/Conv2D';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput';
import { floorConfig } from './kernels/Floor';
import { fusedBatchNormConfig } from './kernels/FusedBatchNorm';
import { fusedConv2DConfig } from './kernels/FusedConv2D';
import { fusedMatMulConfig } from './kernels/_FusedMatMul';
import { identityConfig } from './kernels/Identity';
import { maxPoolConfig } from './kernels/MaxPool';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad';
import { meanConfig } from './kernels/Mean';
import { multiplyConfig } from './kernels/Multiply';
import { convBiasReluConfig } from './kernels/RegstudyConv2DBiasRelu';
import { reluGradConfig } from './kernels/RegstudyReluGrad';
import { sgdMomentumConfig } from './kernels/RegstudySgdMomentum';
import { reluConfig } from './kernels/Relu';
import { sliceConfig } from './kernels/Slice';
import { squareConfig } from './kernels/Square';
import { subConfig } from './kernels/Sub';
import { sumConfig } from './kernels/Sum';
import { tileConfig } from './kernels/Tile';
import { BACKEND, captureStockKernels, useInsideComposites } from './kernels/stock-kernels';
import { installBroadcastMeanGrad } from './ops/mean-grad';
import { installFusedReluGrad } from './ops/relu-grad';

/**
 * The training kernels, one file each under `kernels/` (named for the kernel, ending in its
 * `KernelConfig`), in registration order. Each replaces the stock kernel of its name (whose setup
 * and dispose functions it keeps) or adds a kernel the backend lacks.
 */
const trainingKernelConfigs: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  tileConfig,
  avgPoolGradConfig,
  sumConfig,
  meanConfig,
  maxPoolGradConfig,
  sliceConfig,
  identityConfig,
  conv2DConfig,
  fusedConv2DConfig,
  castConfig,
  fusedBatchNormConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  maxPoolConfig,
  avgPoolConfig,
  reluConfig,
  squareConfig,
  floorConfig,
  sgdMomentumConfig,
  reluGradConfig,
  convBiasReluConfig,
];

/** Ours that the composite kernels run inside too (instead of the stock kernel of that name). */
const usedInsideComposites: readonly KernelConfig[] = [sliceConfig];

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
 *   convolution (`ops/direct-conv.ts`, tfjs flag `REGSTUDY_WASM_DIRECT_CONV`);
 * - replaces `FusedBatchNorm` (a per-element loop) by three XNNPACK broadcasting kernels, and,
 *   while the wasm backend is active, its registered gradient by one with three full-size kernels
 *   instead of ten (`installLeanBatchNormGrad`; other backends keep tfjs-core's gradient; it needs
 *   the gradients registered first, as tfjs-layers and tfjs-core's CJS entry do on import);
 * - while the wasm backend is active, replaces the registered `Mean` gradient (`dy * ones / R`,
 *   three full-size kernels) by `broadcastTo(dy / R)`, one block copy (`installBroadcastMeanGrad`);
 * - replaces `Add`, `Sub` and `Multiply` of a per-channel vector over a tensor with fewer than 48
 *   channels (the bias add of narrow convolutions) by the same op on rows of >= 256 floats, and
 *   with a multiple of 4 channels otherwise, `Relu`, `Square` and the last pass of
 *   `FusedBatchNorm` by generated SIMD128 passes split over the GEMM threads (`ops/channel-ops.ts`,
 *   tfjs flag `REGSTUDY_WASM_CHANNEL_KERNELS`), and small per-row broadcasts (`[R, 1]` with
 *   `[R, C]`: the softmax cross-entropy gradient) by one JavaScript pass;
 * - replaces `_FusedMatMul` (a dense layer's fused forward pass) by our GEMM, then the bias add
 *   and activation (relu on the generated pass; `ops/fused-mat-mul.ts`), and
 *   `Floor` (dropout's mask) by a generated pass;
 * - replaces `MaxPool` and `AvgPool` over windows inside the image by the generated `pool2d`
 *   split over the GEMM threads (`ops/pool.ts`, tfjs flag `REGSTUDY_WASM_POOL_WASM`);
 * - adds `RegstudyConv2DBiasRelu` (with its gradient), the fused training convolution
 *   `lazyConvGradients` runs for layers with a bias and relu (`ops/conv-bias-relu.ts`);
 * - adds `RegstudyReluGrad` and, while the wasm backend is active, makes it the registered `Relu`
 *   gradient (one pass instead of `Step` and `Multiply`; `installFusedReluGrad`);
 * - adds `RegstudySgdMomentum`, the one-pass momentum step `SgdMomentumOptimizer` uses while the
 *   tfjs flag `REGSTUDY_WASM_FUSED_SGD_MOMENTUM` is on (see `ops/sgd-momentum.ts`).
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
  captureStockKernels();
  const added: string[] = [];
  const replaced: string[] = [];
  for (const config of trainingKernelConfigs) {
    const previous = getKernel(config.kernelName, BACKEND);
    if (previous !== undefined) {
      unregisterKernel(config.kernelName, BACKEND);
      replaced.push(config.kernelName);
    } else {
      added.push(config.kernelName);
    }
    registerKernel({
      ...config,
      // Keep the stock setup (it binds the C++ function the fallback and our calls use).
      ...(previous?.setupFunc ? { setupFunc: previous.setupFunc } : {}),
      ...(previous?.disposeFunc ? { disposeFunc: previous.disposeFunc } : {}),
    });
  }
  usedInsideComposites.forEach(useInsideComposites);
  registerConvBiasReluGradient();
  installLeanBatchNormGrad();
  installBroadcastMeanGrad();
  installFusedReluGrad();
  registerWasmKernelFlags();
  registered = { added, replaced };
  return registered;
}
