import { env } from '@tensorflow/tfjs-core';

/**
 * tfjs flag (default true): float32 unbatched `BatchMatMul`s and the convolutions (forward, input
 * and filter gradients, as im2col / col2im + GEMM) on our generated SIMD128 GEMM (`gemm/`) instead
 * of XNNPACK, when one is installed for the backend (`useBackend('wasm')` in Node installs it;
 * elsewhere nothing changes).
 */
export const OWN_GEMM_FLAG = 'REGSTUDY_WASM_OWN_GEMM';
/**
 * tfjs flag (default true): stride-1 filter gradients with `Ci <= 4`, `Co <= 32` on the generated
 * streaming kernel (`ops/few-channel-filter-grad.ts`) instead of XNNPACK.
 */
export const FEW_CHANNEL_FILTER_GRAD_FLAG = 'REGSTUDY_WASM_FEW_CHANNEL_FILTER_GRAD';
/**
 * tfjs flag (default true): convolutions on maps of at most twice the filter's taps (`H W <= 2 kh kw`:
 * ResNet-18's 2x2 and 4x4 stages) forward, input and filter gradients as one accumulating own-GEMM call
 * per tap run (`ops/own-gemm-tiny-map.ts`) instead of the swapped XNNPACK / matMul forms, when
 * the own GEMM is active.
 */
export const OWN_GEMM_TINY_MAP_FLAG = 'REGSTUDY_WASM_OWN_GEMM_TINY_MAP';

/**
 * tfjs flag (default true): filter gradients with a small `[kh kw Ci, Co]` over a deep batch (the
 * 7x7/2 stem) split the GEMM's depth over the threads (`ops/own-gemm-conv.ts`).
 */
export const SPLIT_K_FILTER_GRAD_FLAG = 'REGSTUDY_WASM_SPLIT_K_FILTER_GRAD';

/**
 * tfjs flag (default true): the momentum optimizer trainer's `SgdMomentumOptimizer` steps each
 * variable with the one-pass generated kernel `RegstudySgdMomentum` (`ops/sgd-momentum.ts`) instead of
 * tfjs' four elementwise kernels; read at every `applyGradients`.
 */
export const FUSED_SGD_MOMENTUM_FLAG = 'REGSTUDY_WASM_FUSED_SGD_MOMENTUM';

/**
 * tfjs flag (default true): `MaxPoolGrad` (float32 NHWC) on the generated wasm function
 * `maxPoolGrad` (`codegen/max-pool-grad-kernel.ts`), split by image over the installed GEMM's
 * threads, instead of the JavaScript pass of `ops/max-pool-grad.ts` (same first-occurrence rule).
 */
export const MAX_POOL_GRAD_WASM_FLAG = 'REGSTUDY_WASM_MAXPOOL_GRAD_WASM';

/**
 * tfjs flag (default true): 3x3 stride-1 'same' convolutions with channel counts divisible by 4
 * (ResNet's 3x3 layers on 4x4 and larger maps) forward, input and filter gradients as Winograd
 * F(4x4, 3x3) (`ops/winograd-conv.ts`, `winogradLimits.tile` 4: 6x6 tile transforms + 36 GEMMs,
 * 4x fewer multiplications; tile 2 gives F(2x2, 3x3)), when the own GEMM is active. Off: the direct
 * or im2col + GEMM paths.
 */
export const WINOGRAD_FLAG = 'REGSTUDY_WASM_WINOGRAD';

/**
 * tfjs flag (default true): per-channel broadcasting `Add` / `Sub` / `Multiply` (`[..., C]` with
 * `[C]`, `C` a multiple of 4), `FusedBatchNorm`, `Relu` and `Square` on generated SIMD128 kernels
 * split over the GEMM threads (`ops/channel-ops.ts`) instead of the stock kernels.
 */
export const CHANNEL_KERNELS_FLAG = 'REGSTUDY_WASM_CHANNEL_KERNELS';

/**
 * tfjs flag (default true): stride-1 convolutions with few channels (`Co <= 32`, `Ci <= 32`), forward
 * (`Conv2D`, and `FusedConv2D` with a per-channel bias and linear / relu activation) and input
 * gradient, on the generated direct-convolution kernel (`ops/direct-conv.ts`) instead of XNNPACK or
 * im2col + GEMM (Winograd, where it qualifies, goes first).
 */
export const DIRECT_CONV_FLAG = 'REGSTUDY_WASM_DIRECT_CONV';

/**
 * tfjs flag (default true): `MaxPool` and `AvgPool` (float32 NHWC, windows inside the image) on
 * the generated `pool2d` (`ops/pool.ts`), split by image over the GEMM threads, instead of the stock
 * kernels.
 */
export const POOL_WASM_FLAG = 'REGSTUDY_WASM_POOL_WASM';

/**
 * tfjs flag (default true): `_FusedMatMul` (a dense layer's fused forward pass) runs on our GEMM,
 * then the bias add and the activation (relu on the generated pass), instead of XNNPACK's
 * fully-connected operator (`ops/fused-mat-mul.ts`).
 */
export const FUSED_MATMUL_FLAG = 'REGSTUDY_WASM_FUSED_MATMUL';

/**
 * Registers the wasm kernels' switches (all default true). Each turns one of our kernels off
 * (`tf.env().set(name, false)`, read at every call) so that the previous form runs: an escape
 * hatch should a kernel misbehave on some machine, and the A side of a side-by-side measurement.
 * Every off path is tested against the cpu backend like the on path. Registered once: tfjs warns
 * when a flag is registered again, and its registry is not public.
 */
export function registerWasmKernelFlags(): void {
  const registry = (env() as unknown as { flagRegistry: Record<string, unknown> }).flagRegistry;
  for (const name of [OWN_GEMM_FLAG, FEW_CHANNEL_FILTER_GRAD_FLAG, FUSED_SGD_MOMENTUM_FLAG, OWN_GEMM_TINY_MAP_FLAG, SPLIT_K_FILTER_GRAD_FLAG, MAX_POOL_GRAD_WASM_FLAG, WINOGRAD_FLAG, CHANNEL_KERNELS_FLAG, POOL_WASM_FLAG, DIRECT_CONV_FLAG, FUSED_MATMUL_FLAG]) {
    if (!(name in registry)) env().registerFlag(name, () => true);
  }
}

/** The value of a flag of {@link registerWasmKernelFlags}; true while it is not registered. */
export function flagOn(name: string): boolean {
  const registry = (env() as unknown as { flagRegistry: Record<string, unknown> }).flagRegistry;
  return !(name in registry) || env().getBool(name);
}
