import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';
import type { WasmHeapBackend } from './max-pool-grad';

/**
 * The input gradient of a strided convolution as one GEMM and a scatter-add (col2im):
 *
 *   cols[(n, y, x), (i, j, c)] = sum_o dy[n, y, x, o] W[i, j, c, o]       (cols = DY W^T, one XNNPACK GEMM)
 *   dx[n, y sh + i - top, x sw + j - left, c] += cols[(n, y, x), (i, j, c)]   (inside the input only)
 *
 * The GEMM does exactly the convolution's useful multiply-adds (no zero-dilated `dy`, no phases),
 * packs only `W^T` (`Co x kh kw Ci`, as the forward packs `W`), and the scatter-add is one pass
 * over the wasm heap with runs of `Ci` floats. Returns null when the dtype is not float32.
 */
export function col2imConv2dBackpropInput(
  r: KernelRunner,
  heap: WasmHeapBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const taps = kh * kw * ci;
  const wT = r.transpose(r.reshape(filter, [taps, co]), [1, 0]); // [Co, kh kw Ci]
  const cols = r.matMul(r.reshape(dy, [1, n * ho * wo, co]), r.reshape(wT, [1, co, taps])); // [1, N Ho Wo, kh kw Ci]
  const out = heap.makeOutput([n, h, w, ci], 'float32');
  // Views after the allocation: growing the heap detaches earlier views.
  const dst = heap.typedArrayFromHeap(out) as Float32Array;
  const src = heap.typedArrayFromHeap(cols) as Float32Array;
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < ho; y++) {
      for (let x = 0; x < wo; x++) {
        const row = ((b * ho + y) * wo + x) * taps;
        for (let i = 0; i < kh; i++) {
          const py = y * sh + i - padInfo.top;
          if (py < 0 || py >= h) continue;
          for (let j = 0; j < kw; j++) {
            const px = x * sw + j - padInfo.left;
            if (px < 0 || px >= w) continue;
            const from = row + (i * kw + j) * ci;
            const to = ((b * h + py) * w + px) * ci;
            for (let c = 0; c < ci; c++) dst[to + c] = dst[to + c]! + src[from + c]!;
          }
        }
      }
    }
  }
  return out;
}
