import type { BatchMatMulAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelRunner } from '../runtime/kernel-runner';

/**
 * Plain products with at most `WIDE_MAX_ROWS` rows and a `B` of at least
 * `max(WIDE_MIN_WEIGHTS, rows * WIDE_WEIGHTS_PER_ROW)` elements are swapped (measured with fresh
 * weights, 2 threads: `[64,1920]@[1920,1000]` 10.8 -> 8.0 ms, `[64,5120]@[5120,2000]` 99 -> 41,
 * `[256,5120]@[5120,2000]` 218 -> 113; `[64,1024]@[1024,1024]` and `[256,2048]@[2048,1024]` are
 * not faster swapped and stay on the stock kernel).
 */
const WIDE_MAX_ROWS = 256;
const WIDE_MIN_WEIGHTS = 1536 * 1024;
const WIDE_WEIGHTS_PER_ROW = 16384;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * `BatchMatMul` for the wasm backend that keeps transposed products on XNNPACK.
 *
 * The stock kernel sends any `transposeA`/`transposeB` product to a naive blocked loop (10-30x
 * slower); only `[1, m, k] @ [1, k, n]` runs on XNNPACK's GEMM. Here a transposed product is
 * rewritten with explicit `Transpose` kernels, choosing the cheaper identity by elements moved:
 *
 *   A @ B^T   = A @ (B^T)             (moves |B|)   or  (B @ A^T)^T  (moves |A| + |C|)
 *   A^T @ B   = (A^T) @ B             (moves |A|)   or  (B^T @ A)^T  (moves |B| + |C|)
 *   A^T @ B^T = (B @ A)^T             (moves |C|)
 *
 * A plain product `A @ B` with few rows and a large `B` (the forward pass of a wide dense layer,
 * e.g. `[64, 5120] @ [5120, 2000]`) is computed as `(B^T @ A^T)^T`: XNNPACK's GEMM streams its
 * packed weights once per 4-row tile of the input, so with `B` as the weights 40 MB are read 16
 * times; with `A^T` as the (tiny) weights `B^T` is read once, and the transposes cost less.
 *
 * Returns `null` (use the stock kernel) for batched products (batch > 1), which stay on the
 * stock path either way, and for the other plain products.
 */
export function batchMatMul(r: KernelRunner, a: TensorInfo, b: TensorInfo, attrs: BatchMatMulAttrs): TensorInfo | null {
  const { transposeA, transposeB } = attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (size(a.shape.slice(0, -2)) !== 1 || size(b.shape.slice(0, -2)) !== 1) return null;
  const a0 = a.shape[ra - 2]!;
  const a1 = a.shape[ra - 1]!;
  const b0 = b.shape[rb - 2]!;
  const b1 = b.shape[rb - 1]!;
  const m = transposeA ? a1 : a0;
  const n = transposeB ? b0 : b1;
  const outShape = [...(ra >= rb ? a.shape : b.shape).slice(0, -2), m, n];
  const a2 = r.reshape(a, [a0, a1]);
  const b2 = r.reshape(b, [b0, b1]);
  const t = (x: TensorInfo): TensorInfo => r.transpose(x, [1, 0]);
  const mm = (x: TensorInfo, y: TensorInfo): TensorInfo =>
    r.matMul(r.reshape(x, [1, x.shape[0]!, x.shape[1]!]), r.reshape(y, [1, y.shape[0]!, y.shape[1]!]));
  const sa = a0 * a1;
  const sb = b0 * b1;
  const sc = m * n;
  let out: TensorInfo;
  if (!transposeA && !transposeB) {
    const wide = m <= WIDE_MAX_ROWS && sb >= Math.max(WIDE_MIN_WEIGHTS, m * WIDE_WEIGHTS_PER_ROW) && n >= 4 * m;
    if (!wide) return null;
    out = t(r.reshape(mm(t(b2), t(a2)), [n, m]));
  } else if (transposeA && transposeB) {
    out = t(r.reshape(mm(b2, a2), [n, m]));
  } else if (transposeB) {
    out = sb <= sa + sc ? mm(a2, t(b2)) : t(r.reshape(mm(b2, t(a2)), [n, m]));
  } else {
    out = sa <= sb + sc ? mm(t(a2), b2) : t(r.reshape(mm(t(b2), a2), [n, m]));
  }
  return r.keep(r.reshape(out, outShape));
}
