import { backend_util } from '@tensorflow/tfjs-core';
import type { DataType, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';
import { flagOn, MAX_POOL_GRAD_WASM_FLAG } from '../flags';
import { runMaxPoolGradWasm } from './max-pool-grad-wasm';

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

/** Windows with at least this many taps use the forward output's early exit (3x3 pools). */
export const EARLY_EXIT_MIN_TAPS = 9;

/**
 * Whether the float32 tensor `x` holds a NaN: one XNNPACK sum over all but the last axis (a NaN
 * anywhere makes its channel's sum NaN; `inf - inf` also gives NaN, a harmless false positive).
 */
export function hasNaN(r: KernelRunner, heap: WasmHeapBackend, x: TensorInfo): boolean {
  if (x.dtype !== 'float32' || x.shape.length === 0 || x.shape.some((d) => d === 0)) return true;
  const c = x.shape[x.shape.length - 1]!;
  const s = r.run('Sum', { x: r.reshape(x, [-1, c]) }, { axis: [0], keepDims: false });
  return (heap.typedArrayFromHeap(s) as Float32Array).some((v) => Number.isNaN(v));
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
 * With the forward output `y = maxPool(x)` (the kernel's `output` input, which tfjs-core's
 * `MaxPool` gradient passes; the caller passes it only when `x` has no NaN, see {@link hasNaN}:
 * kernels disagree on the maximum of a window with NaNs, XNNPACK's `pmax` chain can return a
 * value that is not the largest), each window and channel stops at the FIRST position whose value
 * equals `y` (`===`, so -0 and 0 tie as on cpu), which is the cpu rule's position (ResNet-18's
 * 3x3/2 pool: fewer compares and no running maximum to keep). A channel whose `y` is -Infinity (a
 * window of -Infinity only, routed nowhere) or not found in its window falls back to the full
 * scan above.
 *
 * With the tfjs flag `REGSTUDY_WASM_MAXPOOL_GRAD_WASM` on (default) and a wasm module available
 * (`max-pool-grad-wasm.ts`), the same rules run as generated wasm split by image over the
 * installed GEMM's threads; the JavaScript pass below is the fallback.
 *
 * Returns `null` (use the stock kernel) for other dtypes, ranks or a backend without heap access.
 */
export function maxPoolGrad(
  backend: WasmHeapBackend,
  dy: TensorInfo,
  input: TensorInfo,
  attrs: MaxPoolGradAttrs,
  output?: TensorInfo,
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

  // Early exit pays off for large windows only: 64x34x34x64 3x3/2: 69 -> 52 ms; 2x2/2 windows
  // (New's pools): 11.4 -> 14.7 ms (the channel-by-channel search reads with stride C).
  const useY = output !== undefined && kh * kw >= EARLY_EXIT_MIN_TAPS && output.dtype === 'float32';
  const yInfo = useY && output.shape.every((d, i) => d === dy.shape[i]) ? output : null;
  const out = backend.makeOutput([n, h, w, c], 'float32');
  if (flagOn(MAX_POOL_GRAD_WASM_FLAG) && runMaxPoolGradWasm(backend, input, dy, yInfo, out, { n, h, w, c, ho, wo, kh, kw, sh, sw, pt: padInfo.top, pl: padInfo.left })) {
    return out;
  }
  // Views are taken after the allocation: growing the heap detaches earlier views.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const y = yInfo === null ? null : (backend.typedArrayFromHeap(yInfo) as Float32Array);
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && padInfo.top === 0 && padInfo.left === 0 && ho * 2 === h && wo * 2 === w) {
    tiled2x2(dx, x, g, n, h, w, c);
    return out;
  }
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
        const o = ((b * ho + yr) * wo + yc) * c;
        if (y !== null) {
          // First position equal to the window's maximum y (see above); -0 === 0 as on cpu.
          let missed = false;
          for (let d = 0; d < c; d++) {
            const m = y[o + d]!;
            let p = -1;
            if (m > Number.NEGATIVE_INFINITY) {
              search: for (let xr = rLo; xr < rHi; xr++) {
                const rowBase = (b * h + xr) * w;
                for (let xc = cLo; xc < cHi; xc++) {
                  const q = (rowBase + xc) * c + d;
                  if (x[q] === m) {
                    p = q;
                    break search;
                  }
                }
              }
            }
            if (p >= 0) dx[p] = dx[p]! + g[o + d]!;
            else missed = true;
          }
          if (!missed) continue;
          // Some channel's maximum was NaN, -Infinity or not in the window: the exact scan
          // below, for the channels still unrouted only.
          for (let d = 0; d < c; d++) {
            const m = y[o + d]!;
            let found = false;
            if (m > Number.NEGATIVE_INFINITY) {
              for (let xr = rLo; xr < rHi && !found; xr++) {
                for (let xc = cLo; xc < cHi; xc++) {
                  if (x[((b * h + xr) * w + xc) * c + d] === m) {
                    found = true;
                    break;
                  }
                }
              }
            }
            best[d] = Number.NEGATIVE_INFINITY;
            at[d] = found ? -2 : -1; // -2: already routed above
          }
        } else {
          best.fill(Number.NEGATIVE_INFINITY);
          at.fill(-1);
        }
        for (let xr = rLo; xr < rHi; xr++) {
          for (let xc = cLo; xc < cHi; xc++) {
            const base = ((b * h + xr) * w + xc) * c;
            for (let d = 0; d < c; d++) {
              const v = x[base + d]!;
              if (at[d] !== -2 && v > best[d]!) {
                best[d] = v;
                at[d] = base + d;
              }
            }
          }
        }
        for (let d = 0; d < c; d++) {
          const p = at[d]!;
          if (p >= 0) dx[p] = dx[p]! + g[o + d]!;
        }
      }
    }
  }
  return out;
}

/**
 * The 2x2, stride-2 pool whose windows tile the input exactly (New's pools): every input position
 * belongs to one window, so each is written once (the routed one gets `dy`, the others 0) with no
 * zero-fill pass and the running maximum kept in locals: the same first-occurrence rule from
 * -Infinity as above (NaN never wins; a window of -Infinity / NaN only routes nowhere).
 * `[64,32,32,20]`: ~5.5 ms in a plain loop vs ~8.6 ms for the general pass.
 */
function tiled2x2(dx: Float32Array, x: Float32Array, g: Float32Array, n: number, h: number, w: number, c: number): void {
  const ho = h / 2;
  const wo = w / 2;
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < ho; yr++) {
      const row0 = (b * h + 2 * yr) * w;
      const row1 = row0 + w;
      for (let yc = 0; yc < wo; yc++) {
        const p0 = (row0 + 2 * yc) * c;
        const p1 = p0 + c;
        const p2 = (row1 + 2 * yc) * c;
        const p3 = p2 + c;
        const o = ((b * ho + yr) * wo + yc) * c;
        for (let d = 0; d < c; d++) {
          let m = Number.NEGATIVE_INFINITY;
          let k = -1;
          const v0 = x[p0 + d]!;
          const v1 = x[p1 + d]!;
          const v2 = x[p2 + d]!;
          const v3 = x[p3 + d]!;
          if (v0 > m) {
            m = v0;
            k = 0;
          }
          if (v1 > m) {
            m = v1;
            k = 1;
          }
          if (v2 > m) {
            m = v2;
            k = 2;
          }
          if (v3 > m) k = 3;
          const gv = g[o + d]!;
          dx[p0 + d] = k === 0 ? gv : 0;
          dx[p1 + d] = k === 1 ? gv : 0;
          dx[p2 + d] = k === 2 ? gv : 0;
          dx[p3 + d] = k === 3 ? gv : 0;
        }
      }
    }
  }
}
