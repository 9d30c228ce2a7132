import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';
import type { WasmHeapBackend } from './max-pool-grad';

/**
 * The filter gradient on maps with no more pixels than filter taps (`H W <= kh kw`: ResNet-18's
 * 2x2 stage with 3x3 filters) as one GEMM over the batch and a routing pass:
 *
 *   G[(p, c), (q, o)] = sum_n x[n, p, c] dy[n, q, o]          (G = X^T DY, X = [N, H W Ci], DY = [N, Ho Wo Co])
 *   dW[i, j, c, o]    = sum over output pixels q = (qr, qc) of G[(p, c), (q, o)],
 *                       p = (qr sh + i - top, qc sw + j - left) inside the input
 *
 * The GEMM computes every (input pixel, output pixel) pair once, `H W Ho Wo` blocks of `Ci x Co`,
 * where the convolution form computes `Ho Wo kh kw` blocks, most of them against zero padding on
 * such maps (2x2, 3x3 'same': 16 pairs, all used, instead of 36), and XNNPACK packs only `DY`
 * (`N Ho Wo Co` floats, its `B`). The routing adds the `Ci x Co` blocks of `G` into `dW` in one
 * pass over the wasm heap. Returns null when the map is larger than the filter or the dtype is not
 * float32.
 */
export function tinyMapFilterGrad(
  r: KernelRunner,
  heap: WasmHeapBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || h * w > kh * kw) return null;
  const k1 = h * w * ci;
  const k2 = ho * wo * co;
  const xT = r.transpose(r.reshape(x, [n, k1]), [1, 0]); // [H W Ci, N]
  const g = r.matMul(r.reshape(xT, [1, k1, n]), r.reshape(dy, [1, n, k2])); // [1, H W Ci, Ho Wo Co]
  const out = heap.makeOutput([kh, kw, ci, co], 'float32');
  // Views after the allocation: growing the heap detaches earlier views.
  const dst = heap.typedArrayFromHeap(out) as Float32Array;
  const src = heap.typedArrayFromHeap(g) as Float32Array;
  // The first block routed to a tap is copied (`set`), later ones added; taps no pair reaches stay 0.
  const written = new Uint8Array(kh * kw);
  for (let qr = 0; qr < ho; qr++) {
    for (let qc = 0; qc < wo; qc++) {
      const q = qr * wo + qc;
      for (let i = 0; i < kh; i++) {
        const pr = qr * sh + i - padInfo.top;
        if (pr < 0 || pr >= h) continue;
        for (let j = 0; j < kw; j++) {
          const pc = qc * sw + j - padInfo.left;
          if (pc < 0 || pc >= w) continue;
          const p = pr * w + pc;
          const tap = i * kw + j;
          const first = written[tap] === 0;
          written[tap] = 1;
          for (let c = 0; c < ci; c++) {
            const from = (p * ci + c) * k2 + q * co;
            const to = (tap * ci + c) * co;
            if (first) dst.set(src.subarray(from, from + co), to);
            else for (let o = 0; o < co; o++) dst[to + o] = dst[to + o]! + src[from + o]!;
          }
        }
      }
    }
  }
  for (let tap = 0; tap < kh * kw; tap++) {
    if (written[tap] === 0) dst.fill(0, tap * ci * co, (tap + 1) * ci * co);
  }
  return out;
}
