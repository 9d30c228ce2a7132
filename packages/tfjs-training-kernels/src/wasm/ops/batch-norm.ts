import type { FusedBatchNormAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';
import { channelNorm } from './channel-ops';

/**
 * `FusedBatchNorm` (inference-style normalisation with given statistics, which tfjs-layers also
 * runs in training after computing the batch moments) for the wasm backend, as XNNPACK
 * broadcasting kernels over the channels:
 *
 *   k = scale * rsqrt(variance + eps)          ([C]: cheap)
 *   y = (x - mean) * k + offset                (three full-size broadcasting ops)
 *
 * the cpu backend's formula `offset + (x - mean) * scale / sqrt(variance + eps)` up to float32
 * rounding. The stock wasm kernel is a per-element C++ loop, 3-4x slower (`[64,32,32,64]`: 14.7 vs
 * 4.6 ms; `[64,16,16,64]`: 3.7 vs 1.0 ms, 2 threads).
 *
 * With the flag `REGSTUDY_WASM_CHANNEL_KERNELS` on and `C` a multiple of 4, the last line is one
 * generated pass instead (`channelNorm`, same operations and rounding).
 *
 * Returns `null` (use the stock kernel) unless `x` is float32 and every statistic is a float32
 * vector over the last axis of `x` (or absent, for `scale` and `offset`).
 */
export function fusedBatchNorm(
  r: KernelRunner,
  inputs: Record<string, TensorInfo | null | undefined>,
  attrs: FusedBatchNormAttrs,
): TensorInfo | null {
  const { x, mean, variance, scale, offset } = inputs;
  if (x == null || mean == null || variance == null || x.dtype !== 'float32' || x.shape.length < 1) return null;
  const c = x.shape[x.shape.length - 1]!;
  const isChannelVector = (t: TensorInfo | null | undefined): boolean =>
    t == null || (t.dtype === 'float32' && t.shape.length === 1 && t.shape[0] === c);
  if (![mean, variance, scale, offset].every(isChannelVector)) return null;
  const eps = r.constant(Float32Array.of(attrs.varianceEpsilon ?? 0.001), []);
  let k = r.run('Rsqrt', { x: r.run('Add', { a: variance, b: eps }) });
  if (scale != null) k = r.run('Multiply', { a: k, b: scale });
  const fused = channelNorm(r.backend, x, mean, k, offset ?? r.constant(new Float32Array(c), [c]));
  if (fused !== null) return fused;
  let y = r.run('Multiply', { a: r.run('Sub', { a: x, b: mean }), b: k });
  if (offset != null) y = r.run('Add', { a: y, b: offset });
  return r.keep(y);
}
