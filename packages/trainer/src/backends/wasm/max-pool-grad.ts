import { backend_util } from '@tensorflow/tfjs-core';
import type { DataType, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` that {@link maxPoolGrad} uses. */
export interface WasmHeapBackend {
  /** Allocates an (uninitialised) output tensor in the wasm heap. */
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A typed-array view of a tensor's bytes in the wasm heap (valid until the heap grows). */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Narrows a kernel's backend to {@link WasmHeapBackend}, or returns null. */
export function asWasmHeapBackend(backend: unknown): WasmHeapBackend | null {
  const b = backend as Partial<WasmHeapBackend> | null;
  return b !== null && typeof b?.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function'
    ? (b as WasmHeapBackend)
    : null;
}

/**
 * `MaxPoolGrad` for the wasm backend, with the cpu backend's exact semantics, as one pass over the
 * wasm heap (channels innermost, so every read is contiguous):
 *
 *   dx[p] = sum over windows w with p = argmax(w) of dy[w]
 *
 * where `argmax(w)` is the FIRST position of window `w` in row-major (row, then column) order whose
 * value is strictly greater than every earlier one, starting from -Infinity; padding positions are
 * not part of a window. So each window routes its gradient to exactly one input position; ties
 * (zeros after a ReLU, zero padding) go to the earliest tied position, as in tfjs-backend-cpu's
 * `maxPoolPositions`; a window of only NaN / -Infinity routes nowhere, as on cpu. Overlapping
 * windows (e.g. 3x3, stride 2) add up.
 *
 * Why not the stock kernel: tfjs-backend-wasm 4.22's C++ `MaxPoolGrad` recomputes positions by
 * scanning for `x >= best` from `std::numeric_limits<float>::min()` (the smallest POSITIVE float),
 * so ties go to the LAST position and windows whose values are all <= 0 get no gradient, and it
 * gathers per input pixel over all windows (ResNet-18's `[64,34,34,64]` 3x3/2 pool: ~150 ms).
 * No stock wasm kernel computes first-occurrence argmaxes (`MaxPoolWithArgmax` has the same scan),
 * so this pass is written directly; it is O(N Ho Wo kh kw C) compares plus one add per window.
 *
 * Returns `null` (use the stock kernel) for other dtypes, ranks or a backend without heap access.
 */
export function maxPoolGrad(
  backend: WasmHeapBackend,
  dy: TensorInfo,
  input: TensorInfo,
  attrs: MaxPoolGradAttrs,
): TensorInfo | null {
  if (dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4 || dy.shape.length !== 4) {
    return null;
  }
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (dy.shape[0] !== n || dy.shape[1] !== ho || dy.shape[2] !== wo || dy.shape[3] !== c) return null;

  const out = backend.makeOutput([n, h, w, c], 'float32');
  // Views are taken after the allocation: growing the heap detaches earlier views.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < ho; yr++) {
      const r0 = yr * sh - padInfo.top;
      const rLo = Math.max(0, r0);
      const rHi = Math.min(h, r0 + kh);
      for (let yc = 0; yc < wo; yc++) {
        const c0 = yc * sw - padInfo.left;
        const cLo = Math.max(0, c0);
        const cHi = Math.min(w, c0 + kw);
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let xr = rLo; xr < rHi; xr++) {
          for (let xc = cLo; xc < cHi; xc++) {
            const base = ((b * h + xr) * w + xc) * c;
            for (let d = 0; d < c; d++) {
              const v = x[base + d]!;
              if (v > best[d]!) {
                best[d] = v;
                at[d] = base + d;
              }
            }
          }
        }
        const o = ((b * ho + yr) * wo + yc) * c;
        for (let d = 0; d < c; d++) {
          const p = at[d]!;
          if (p >= 0) dx[p] = dx[p]! + g[o + d]!;
        }
      }
    }
  }
  return out;
}
