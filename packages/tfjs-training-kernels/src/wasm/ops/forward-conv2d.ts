import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';
import { prefersSwappedTinyMap, tinyMapConv2d } from './tiny-map-conv';
import { ownGemmConv2d } from './own-gemm-conv';
import { ownGemmTinyMapConv2d } from './own-gemm-tiny-map';
import { winogradConv2d } from './winograd-conv';
import { directConv2d } from './direct-conv';

/**
 * `Conv2D` / `FusedConv2D` for the wasm backend: 3x3 'same' convolutions that qualify take
 * Winograd F(4x4, 3x3) (`winogradConv2d`, flag `REGSTUDY_WASM_WINOGRAD`; without bias or
 * activation); stride-1 convolutions with few channels take the generated direct convolution
 * (`directConv2d`, flag `REGSTUDY_WASM_DIRECT_CONV`; it also applies a fused per-channel bias and
 * a linear or relu activation); stride-1 convolutions on maps smaller than the filter take
 * `ownGemmTinyMapConv2d` (flag `REGSTUDY_WASM_OWN_GEMM_TINY_MAP`, own GEMM active) or
 * {@link tinyMapConv2d}; with the tfjs flag `REGSTUDY_WASM_OWN_GEMM` the others take im2col + our
 * own GEMM (`ownGemmConv2d`); everything else, and any other fused bias, activation or PReLU
 * weights, returns `null` so that the caller runs the stock XNNPACK kernel.
 */
export function forwardConv2d(
  r: KernelRunner,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: Conv2DAttrs & { activation?: string },
): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (x === undefined || filter === undefined || preluActivationWeights != null) return null;
  const activation = attrs.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') return null;
  if (attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32' || x.shape.length !== 4) return null;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const plain = bias == null && activation === 'linear';
  if (plain) {
    const winograd = winogradConv2d(r.backend, x, filter, info);
    if (winograd !== null) return winograd;
  }
  const direct = directConv2d(r.backend, x, filter, bias ?? null, activation === 'relu', info);
  if (direct !== null || !plain) return direct;
  const tiny = ownGemmTinyMapConv2d(r.backend, x, filter, info);
  if (tiny !== null) return tiny;
  if (!prefersSwappedTinyMap(info, 'forward')) return ownGemmConv2d(r.backend, x, filter, info);
  const y = tinyMapConv2d(r, x, filter, info);
  return y === null ? null : r.keep(y);
}
