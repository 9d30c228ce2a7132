import type { backend_util, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

type Conv2DInfo = backend_util.Conv2DInfo;
import type { KernelRunner } from '../runtime/kernel-runner';

/** One spatial axis of the phase split: stride, padding before, filter size, lengths. */
interface Axis {
  s: number;
  pad: number;
  k: number;
  /** dx length (input of the forward conv). */
  len: number;
  /** dy length (output of the forward conv). */
  outLen: number;
}

/**
 * Input gradient of a strided convolution without the zero-dilated `dy` (which wastes s^2 of
 * the FLOPs): split dx by output phase. With `Y = y + pad = s*q + r` (0 <= r < s), only the taps
 * `i = r + s*t` reach row y, from `dy[q - t]`:
 *
 *   dx[s*q + r - pad] = sum_t dy[q - t] * W[r + s*t]
 *
 * a stride-1 transposed convolution of `dy` with the sub-filter `W[r::s]`, one per phase (ry, rx),
 * each computed over the common range `q in [floor(pad/s), floor((len-1+pad)/s)]`; the phases are
 * interleaved (concat along the phase axes of `[N, Q, s, P, s, C]`) and cropped back to
 * `[N, H, W, C]`. Returns null when an axis would need more than the simple crops handled here.
 */
export function conv2dBackpropInputByPhases(
  r: KernelRunner,
  dy: TensorInfo,
  filter: TensorInfo,
  info: Conv2DInfo,
  rotatedTransposed: (r: KernelRunner, f: TensorInfo) => TensorInfo,
): TensorInfo | null {
  const { batchSize: n, inChannels: ci, outChannels: co } = info;
  const ay: Axis = { s: info.strideHeight, pad: info.padInfo.top, k: info.filterHeight, len: info.inHeight, outLen: info.outHeight };
  const ax: Axis = { s: info.strideWidth, pad: info.padInfo.left, k: info.filterWidth, len: info.inWidth, outLen: info.outWidth };
  const qlo = (a: Axis) => Math.floor(a.pad / a.s);
  const qhi = (a: Axis) => Math.floor((a.len - 1 + a.pad) / a.s);
  const qy = qhi(ay) - qlo(ay) + 1;
  const qx = qhi(ax) - qlo(ax) + 1;

  const rows: TensorInfo[] = [];
  for (let ry = 0; ry < ay.s; ry++) {
    const cols: TensorInfo[] = [];
    for (let rx = 0; rx < ax.s; rx++) {
      const kty = Math.max(0, Math.ceil((ay.k - ry) / ay.s));
      const ktx = Math.max(0, Math.ceil((ax.k - rx) / ax.s));
      let phase: TensorInfo;
      if (kty === 0 || ktx === 0) {
        phase = r.run('Fill', {}, { shape: [n, qy, qx, ci], value: 0, dtype: 'float32' });
      } else {
        const sub = r.run('StridedSlice', { x: filter }, {
          begin: [ry, rx, 0, 0],
          end: [ay.k, ax.k, ci, co],
          strides: [ay.s, ax.s, 1, 1],
          beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
        }); // [kty, ktx, Ci, Co]
        phase = phaseConv(r, dy, rotatedTransposed(r, sub), kty, ktx, qlo(ay), qy, ay.outLen, qlo(ax), qx, ax.outLen);
      }
      cols.push(r.reshape(phase, [n, qy, 1, qx, 1, ci]));
    }
    rows.push(cols.length === 1 ? cols[0]! : r.run('Concat', cols as unknown as NamedTensorInfoMap, { axis: 4 }));
  }
  const all = rows.length === 1 ? rows[0]! : r.run('Concat', rows as unknown as NamedTensorInfoMap, { axis: 2 });
  const full = r.reshape(all, [n, qy * ay.s, qx * ax.s, ci]);
  // Row index in `full` is Y - s*qlo = y + pad - s*qlo.
  const y0 = ay.pad - ay.s * qlo(ay);
  const x0 = ax.pad - ax.s * qlo(ax);
  if (y0 === 0 && x0 === 0 && full.shape[1] === ay.len && full.shape[2] === ax.len) return full;
  return r.run('Slice', { x: full }, { begin: [0, y0, x0, 0], size: [n, ay.len, ax.len, ci] });
}

/** `out[q] = sum_t dy[q - t] * Wsub[t]` for q in [qlo, qlo + count), as one stride-1 XNNPACK conv. */
function phaseConv(
  r: KernelRunner,
  dy: TensorInfo,
  rotT: TensorInfo,
  kty: number,
  ktx: number,
  qloY: number,
  countY: number,
  outH: number,
  qloX: number,
  countX: number,
  outW: number,
): TensorInfo {
  // out[q] = sum_u dyPad[q - qlo + u] * rot[u], with dyPad[m] = dy[m + qlo - (kt - 1)].
  const span = (qlo: number, count: number, kt: number, len: number) => {
    const before = kt - 1 - qlo; // rows of zeros before dy (negative: crop dy)
    const after = count + kt - 1 - len - before; // rows of zeros after dy (negative: crop)
    return { before, after };
  };
  const sy = span(qloY, countY, kty, outH);
  const sx = span(qloX, countX, ktx, outW);
  let x = dy;
  const cropTop = Math.max(0, -sy.before);
  const cropLeft = Math.max(0, -sx.before);
  const cropBottom = Math.max(0, -sy.after);
  const cropRight = Math.max(0, -sx.after);
  if (cropTop + cropLeft + cropBottom + cropRight > 0) {
    x = r.run('Slice', { x: dy }, {
      begin: [0, cropTop, cropLeft, 0],
      size: [dy.shape[0]!, outH - cropTop - cropBottom, outW - cropLeft - cropRight, dy.shape[3]!],
    });
  }
  return r.run('Conv2D', { x, filter: rotT }, {
    strides: [1, 1],
    pad: [[0, 0], [Math.max(0, sy.before), Math.max(0, sy.after)], [Math.max(0, sx.before), Math.max(0, sx.after)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as Record<string, never>);
}
