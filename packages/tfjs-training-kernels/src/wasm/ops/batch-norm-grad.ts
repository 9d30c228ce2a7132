import { add, mul, neg, reshape, rsqrt, scalar, sub, sum } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { installWasmOnlyGradient } from './wasm-only-gradient';

/** Gradient thunks keyed by input name, as a `GradConfig.gradFunc` returns them. */
type GradMap = Record<string, () => Tensor>;

/**
 * The `FusedBatchNorm` gradient with per-channel statistics (`mean` a vector over the last axis),
 * with the sums factored out so that only three full-size kernels run (tfjs-core's runs ten,
 * incl. a `Tile`): with `r = rsqrt(variance + eps)`, `k = scale * r`, `R` the leading axes,
 *
 *   dx       = dy * k                                  (broadcast over the channels)
 *   dmean    = -k * sum_R(dy)
 *   dvar     = -0.5 * r^2 * k * sum_R(dy * (x - mean))
 *   dscale   = r * sum_R(dy * (x - mean))
 *   doffset  = sum_R(dy)
 *
 * the same values as tfjs-core's gradient up to float32 rounding (it multiplies full-size
 * tensors before summing). Returns null (use tfjs-core's) when `mean` is not a vector.
 */
export function leanBatchNormGrad(dy: Tensor, saved: Tensor[], attrs: NamedAttrMap): GradMap | null {
  const [x, mean, variance, scale] = saved;
  if (x === undefined || mean === undefined || variance === undefined || mean.rank !== 1) return null;
  const eps = (attrs as { varianceEpsilon?: number }).varianceEpsilon ?? 0.001;
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const r = rsqrt(add(variance, scalar(eps)));
  const k = scale == null ? r : mul(r, scale);
  const sumDy = sum(dy, axes);
  const sumDyXm = sum(mul(dy, sub(x, mean)), axes);
  return {
    x: () => mul(dy, k),
    mean: () => neg(mul(k, sumDy)),
    variance: () => mul(mul(mul(r, r), mul(k, scalar(-0.5))), sumDyXm),
    scale: () => mul(r, sumDyXm),
    offset: () => reshape(sumDy, mean.shape),
  };
}

/**
 * Replaces tfjs-core's `FusedBatchNorm` gradient by {@link leanBatchNormGrad} while the active
 * backend is `wasm` ({@link installWasmOnlyGradient}). Returns whether it is installed.
 */
export function installLeanBatchNormGrad(): boolean {
  return installWasmOnlyGradient('FusedBatchNorm', leanBatchNormGrad);
}
