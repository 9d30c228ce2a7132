import { slice_util } from '@tensorflow/tfjs-core';
import type { SliceAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from './max-pool-grad';

/**
 * `Slice` for the wasm backend that copies only the sliced elements.
 *
 * The stock tfjs-backend-wasm 4.22 kernel first reads the WHOLE input out of the wasm heap
 * (`readSync`, a copy of every element) and then copies the slice: slicing one 1 MB tap out of a
 * 9.4 MB filter took ~5 ms. Here the input is read through a heap view, and the copy is done in
 * the longest contiguous runs: with `d` the last axis that is not taken whole, each run is
 * `size[d] * prod(shape[d+1:])` elements, copied with one `TypedArray.set` per index of the axes
 * before `d`:
 *
 *   out[i_0, ..., i_{d-1}, :] = x[begin_0 + i_0, ..., begin_{d-1} + i_{d-1}, begin_d : begin_d + size_d, ...]
 *
 * Returns `null` (use the stock kernel) for strings and complex numbers.
 */
export function slice(backend: WasmHeapBackend, x: TensorInfo, attrs: SliceAttrs): TensorInfo | null {
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return null;
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const shape = x.shape;
  const rank = shape.length;
  // Views after the allocation: growing the heap detaches earlier views.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (rank === 0) {
    dst.set(src.subarray(0, 1));
    return out;
  }
  // d: last axis not taken whole; every axis after it is contiguous in both tensors.
  let d = rank - 1;
  while (d > 0 && size[d] === shape[d]) d--;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const run = size[d]! * strides[d]!;
  const outer = size.slice(0, d);
  const count = outer.reduce((a, b) => a * b, 1);
  const index = new Array<number>(d).fill(0);
  for (let k = 0; k < count; k++) {
    let from = begin[d]! * strides[d]!;
    for (let i = 0; i < d; i++) from += (begin[i]! + index[i]!) * strides[i]!;
    dst.set(src.subarray(from, from + run), k * run);
    for (let i = d - 1; i >= 0; i--) {
      if (++index[i]! < outer[i]!) break;
      index[i] = 0;
    }
  }
  return out;
}
