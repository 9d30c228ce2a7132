import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dBackpropInputByPhases } from './conv2d-backprop-input-phases';
import { conv2dBackpropInputDepthToSpace, DEPTH_TO_SPACE_MAX_CHANNELS } from './conv2d-backprop-input-depth-to-space';
import { KernelRunner } from '../runtime/kernel-runner';
import { directConvInputGrad } from './direct-conv';
import { col2imConv2dBackpropInput } from './conv2d-backprop-input-col2im';
import { ownGemmConvInputGrad } from './own-gemm-conv';
import { ownGemmTinyMapInputGrad } from './own-gemm-tiny-map';
import { winogradInputGrad } from './winograd-conv';
import { asWasmHeapBackend } from './max-pool-grad';
import { prefersSwappedTinyMap, tinyMapConv2dBackpropInput } from './tiny-map-conv';

/**
 * Strided gradients with at least this many dy pixels per image use the phase split; on tiny maps
 * (ResNet's 4x4 -> 2x2 stage) the per-phase filter slicing and operator setup cost more than the
 * zeros they save (measured, batch 64: 8x8 dy 85 -> 37 ms, 4x4 dy 85 -> 70 ms, 2x2 dy 101 -> 198
 * ms; the 7x7/2 stem with 3 channels, whose input gradient tfjs-core's fused conv computes even for
 * the image: 456 -> 126 ms).
 */
export const PHASE_SPLIT_MIN_PIXELS = 16;

/**
 * Gradient of a 2-D convolution with respect to its input, NHWC, dilation 1, as one stride-1
 * XNNPACK convolution:
 *
 *   dx = conv2d(pad(dilate_s(dy)), rot180(W)^T, stride 1)
 *
 * where `dilate_s` inserts `s - 1` zeros between neighbouring rows/columns of `dy` (stride s),
 * `rot180(W)^T[a, b, o, c] = W[kh-1-a, kw-1-b, c, o]`, and the padding is
 * `top' = kh - 1 - top`, `bottom' = H + top - Hd` with `Hd = (Ho - 1) * s + 1` (likewise for
 * columns). Returns `null` when the padding would be negative (unusual explicit pads) or `dy` is not the
 * forward output's shape, so that
 * the caller can fall back to the backend's own kernel.
 */
export function conv2dBackpropInput(
  r: KernelRunner,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
): TensorInfo | null {
  if (attrs.dataFormat !== 'NHWC') return null;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  // A dy that is not the forward convolution's output shape (tfjs-core's conv2dTranspose spec
  // 'input=8x8x8,output=4x4x8,...' passes an 8x8 dy for a 4x4 output): the stock kernel reads its
  // top-left block through dy's strides, as the cpu backend does; every path below assumes the shape.
  const [dn, dh, dw, dc] = dy.shape;
  if (dn !== n || dh !== ho || dw !== wo || dc !== co) return null;
  const winograd = winogradInputGrad(r.backend, dy, filter, info);
  if (winograd !== null) return winograd;
  const direct = directConvInputGrad(r.backend, dy, filter, info);
  if (direct !== null) return direct;
  const tiny = ownGemmTinyMapInputGrad(r.backend, dy, filter, info);
  if (tiny !== null) return tiny;
  // Strided: with our GEMM active, GEMM + col2im before the swapped XNNPACK form, also on tiny dy
  // maps: the 4x4x256 -> 2x2x512 transition's input gradient 44-48 -> 9.3 ms (2 threads, batch
  // 64, side by side). Stride 1: the tiny-map paths first (REGSTUDY_WASM_OWN_GEMM_TINY_MAP above).
  const strided = sh > 1 || sw > 1;
  const own = strided ? ownGemmConvInputGrad(r.backend, dy, filter, info) : null;
  if (own !== null) return own;
  if (prefersSwappedTinyMap(info, 'inputGradient')) {
    const swapped = tinyMapConv2dBackpropInput(r, dy, filter, info);
    if (swapped !== null) return r.keep(swapped);
  }
  const ownStride1 = strided ? null : ownGemmConvInputGrad(r.backend, dy, filter, info);
  if (ownStride1 !== null) return ownStride1;
  if ((sh > 1 || sw > 1) && info.inChannels <= DEPTH_TO_SPACE_MAX_CHANNELS) {
    const viaBlocks = conv2dBackpropInputDepthToSpace(r, dy, filter, info);
    if (viaBlocks !== null) return r.keep(viaBlocks);
  }
  const heap = asWasmHeapBackend(r.backend);
  if ((sh > 1 || sw > 1) && heap) {
    const viaCols = col2imConv2dBackpropInput(r, heap, dy, filter, info);
    if (viaCols !== null) return viaCols;
  }
  if ((sh > 1 || sw > 1) && ho * wo >= PHASE_SPLIT_MIN_PIXELS) {
    const viaPhases = conv2dBackpropInputByPhases(r, dy, filter, info, rotatedTransposedFilter);
    if (viaPhases !== null) return r.keep(viaPhases);
  }
  const top = kh - 1 - padInfo.top;
  const left = kw - 1 - padInfo.left;
  // Zero-dilated dy is built as [N, Ho*sh, Wo*sw, Co] (s-1 trailing zeros after the last row too),
  // so the bottom padding shrinks by (s - 1).
  const hd = ho * sh;
  const wd = wo * sw;
  const bottom = h + padInfo.top - ((ho - 1) * sh + 1) - (sh - 1);
  const right = w + padInfo.left - ((wo - 1) * sw + 1) - (sw - 1);
  if (top < 0 || left < 0 || bottom < -(sh - 1) || right < -(sw - 1)) return null;

  let dyd = dy;
  if (sh > 1 || sw > 1) {
    const dy6 = r.reshape(dy, [n, ho, 1, wo, 1, co]);
    const padded = r.run('PadV2', { x: dy6 }, {
      paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
      constantValue: 0,
    });
    dyd = r.reshape(padded, [n, hd, wd, co]);
    if (bottom < 0 || right < 0) {
      dyd = r.run('Slice', { x: dyd }, {
        begin: [0, 0, 0, 0],
        size: [n, hd + Math.min(0, bottom), wd + Math.min(0, right), co],
      });
    }
  }
  const wT = rotatedTransposedFilter(r, filter);
  const out = r.run('Conv2D', { x: dyd, filter: wT }, {
    strides: [1, 1],
    pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as Record<string, never>);
  return r.keep(out);
}

/**
 * Filters with at least this many elements per tap (`Ci * Co`) are flipped and transposed tap by
 * tap; smaller ones with one exchange-matrix GEMM. Measured side by side (2 threads, batch 64,
 * whole input gradient): 2x2x512 -> 512 60 -> 50 ms, 4x4x256 -> 256 31 -> 28 ms, stride 2
 * 4x4x256 -> 512 61 -> 58 ms.
 */
export const PER_TAP_FLIP_MIN = 1 << 16;

/**
 * `rot180(W)^T[a, b, o, c] = W[kh-1-a, kw-1-b, c, o]` for a filter `[kh, kw, Ci, Co]`.
 *
 * Large taps (`Ci * Co >= PER_TAP_FLIP_MIN`): W viewed as `[kh*kw, Ci, Co]`; tap `t` of the result
 * is the 2-D transpose of tap `kh*kw-1-t` (a contiguous `Slice`, then the runner's cache-blocked
 * 2-D transpose), and the taps are stacked by one `Concat` along axis 0 (one copy per tap). The
 * GEMM below would make XNNPACK pack all of `W` as its weights (~12 ns a float).
 *
 * Small taps: the spatial flip reverses the rows of `W^T` viewed as `[kh*kw, Ci*Co]`, done as the
 * product `J @ W^T` with the `kh*kw` exchange matrix `J` (ones on the anti-diagonal): an XNNPACK
 * GEMM with K = kh*kw is ~15x faster than the stock wasm `Reverse`/`GatherV2` loops, and exact
 * (each output is `1 * w + 0 * ...`).
 */
export function rotatedTransposedFilter(r: KernelRunner, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const taps = kh * kw;
  if (taps > 1 && ci * co >= PER_TAP_FLIP_MIN) {
    const w3 = r.reshape(filter, [taps, ci, co]);
    const flipped: TensorInfo[] = [];
    for (let t = 0; t < taps; t++) {
      const tap = r.run('Slice', { x: w3 }, { begin: [taps - 1 - t, 0, 0], size: [1, ci, co] });
      flipped.push(r.reshape(r.transpose(r.reshape(tap, [ci, co]), [1, 0]), [1, co, ci]));
    }
    const stacked = r.run('Concat', flipped as unknown as NamedTensorInfoMap, { axis: 0 });
    return r.reshape(stacked, [kh, kw, co, ci]);
  }
  const wT = r.transpose(filter, [0, 1, 3, 2]); // [kh, kw, Co, Ci]
  if (taps === 1) return wT;
  const exchange = new Float32Array(taps * taps);
  for (let i = 0; i < taps; i++) exchange[i * taps + (taps - 1 - i)] = 1;
  const j = r.constant(exchange, [1, taps, taps]);
  const flipped = r.matMul(j, r.reshape(wT, [1, taps, co * ci]));
  return r.reshape(flipped, [kh, kw, co, ci]);
}
