import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';

type Conv2DInfo = backend_util.Conv2DInfo;

/**
 * Strided input gradients with at most this many input channels take
 * {@link conv2dBackpropInputDepthToSpace}: the phase split's convolutions then have only `Ci`
 * output channels each (ResNet-18's 7x7/2 stem: 3), which leaves most of XNNPACK's 8-wide
 * output lanes idle.
 */
export const DEPTH_TO_SPACE_MAX_CHANNELS = 4;

/**
 * Input gradient of a strided convolution (stride s, dilation 1) as ONE stride-1 XNNPACK
 * convolution whose `s*s*Ci` output channels are the `s x s` blocks of dx, then a depth-to-space
 * shuffle. In padded input coordinates `u' = s*U + a` (0 <= a < s), only the taps
 * `i = s*t + a` reach row u' (from `dy[U - t]`), so
 *
 *   dxpad[n, s*U + a, s*V + b, c] = sum_{t, t', o} dy[n, U - t, V - t', o] G[t, t', o, (a, b, c)],
 *   G[t, t', o, (a, b, c)] = W[s*t + a, s*t' + b, c, o]   (0 where s*t + a >= kh),
 *
 * a correlation of `dy` (padded by `T - 1 - U0` above, `T = ceil(kh / s)`) with G flipped over
 * `(t, t')`, computed for the block rows `U0..U1` that cover dx (`U0 = floor(top / s)`). The
 * `[N, nU, nV, s, s, Ci]` result is interleaved to `[N, nU*s, nV*s, Ci]` by one transpose and
 * cropped to `[N, H, W, Ci]`. It multiplies `T*T'*s*s / (kh*kw)` as much as the phase split
 * (7x7/2: 64/49) but with `s*s*Ci` output channels instead of `Ci`. Measured side by side (2
 * threads) on the ResNet-18 stem's gradient (`dy [64,32,32,64]`, 7x7/2, 3 channels): 86-96 -> 48-51
 * ms (a gradient tfjs-core's fused convolution computes for the input image, unused).
 *
 * Returns null when a padding would be negative (explicit pads of kh or more).
 */
export function conv2dBackpropInputDepthToSpace(
  r: KernelRunner,
  dy: TensorInfo,
  filter: TensorInfo,
  info: Conv2DInfo,
): TensorInfo | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const th = Math.ceil(kh / sh);
  const tw = Math.ceil(kw / sw);
  const u0 = Math.floor(padInfo.top / sh);
  const v0 = Math.floor(padInfo.left / sw);
  const nu = Math.floor((padInfo.top + h - 1) / sh) - u0 + 1;
  const nv = Math.floor((padInfo.left + w - 1) / sw) - v0 + 1;
  const pads = [th - 1 - u0, 0, tw - 1 - v0, 0];
  pads[1] = nu + th - 1 - ho - pads[0]!;
  pads[3] = nv + tw - 1 - wo - pads[2]!;
  if (pads.some((p) => p < 0)) return null;

  // G[t, t', o, a, b, c] from W zero-padded to [th*sh, tw*sw, Ci, Co], flipped over (t, t')
  const wp = r.run('PadV2', { x: filter }, {
    paddings: [[0, th * sh - kh], [0, tw * sw - kw], [0, 0], [0, 0]],
    constantValue: 0,
  });
  const g = r.run('Transpose', { x: r.reshape(wp, [th, sh, tw, sw, ci, co]) }, { perm: [0, 2, 5, 1, 3, 4] });
  const taps = th * tw;
  const exchange = new Float32Array(taps * taps);
  for (let i = 0; i < taps; i++) exchange[i * taps + (taps - 1 - i)] = 1;
  const flipped = r.matMul(r.constant(exchange, [1, taps, taps]), r.reshape(g, [1, taps, co * sh * sw * ci]));
  const gf = r.reshape(flipped, [th, tw, co, sh * sw * ci]);

  const z = r.run('Conv2D', { x: dy, filter: gf }, {
    strides: [1, 1],
    pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as Record<string, never>); // [N, nU, nV, sh*sw*Ci]
  const blocks = r.run('Transpose', { x: r.reshape(z, [n, nu, nv, sh, sw, ci]) }, { perm: [0, 1, 3, 2, 4, 5] });
  const full = r.reshape(blocks, [n, nu * sh, nv * sw, ci]);
  return r.run('Slice', { x: full }, {
    begin: [0, padInfo.top - sh * u0, padInfo.left - sw * v0, 0],
    size: [n, h, w, ci],
  });
}
