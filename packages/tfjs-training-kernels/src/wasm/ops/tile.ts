import type { TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import { KernelRunner } from '../runtime/kernel-runner';
import type { WasmHeapBackend } from './max-pool-grad';

/**
 * `Tile` for the wasm backend when it only broadcasts (every repeated axis has size 1 in `x`, as
 * in tfjs-core's batch-norm gradient, which tiles `[1, 1, 1, C]` to `[N, H, W, C]`):
 * `tile(x, reps) = x + zeros(outShape)`, one XNNPACK broadcasting add, ~15x faster than the
 * stock element-by-element loop. Returns `null` (use the stock kernel) for real repetitions.
 */
export function broadcastTile(r: KernelRunner, x: TensorInfo, attrs: TileAttrs): TensorInfo | null {
  const reps = attrs.reps;
  if (x.dtype !== 'float32' || reps.length !== x.shape.length) return null;
  if (!reps.every((n, i) => n === 1 || x.shape[i] === 1)) return null;
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const zeros = r.run('Fill', {}, { shape: outShape, value: 0, dtype: 'float32' });
  return r.keep(r.run('Add', { a: x, b: zeros }));
}

/**
 * `Tile` when only LEADING axes are repeated (x = `[1, ..., 1, d_k, ..., d_r]`, reps 1 from axis
 * k on; the `Mean` gradient broadcasts `[1, 1, 1, C]` to `[N, H, W, C]`): the output is `x`'s
 * block repeated `prod(reps)` times, written as one copy of the block and then doubling
 * `copyWithin`s (a memmove of the part already written), so every output element is written once
 * at memory-copy speed, without the zeros tensor and the broadcasting add of
 * {@link broadcastTile}. Returns `null` (use another path) for other repetitions or dtypes.
 */
export function leadingRepeatTile(backend: WasmHeapBackend, x: TensorInfo, attrs: TileAttrs): TensorInfo | null {
  const reps = attrs.reps;
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return null;
  if (reps.length !== x.shape.length || reps.length === 0) return null;
  let k = reps.length;
  while (k > 0 && reps[k - 1] === 1) k--;
  // axes [0, k) may repeat and must have size 1 in x; axes [k, r) have reps 1.
  for (let i = 0; i < k; i++) if (x.shape[i] !== 1) return null;
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const total = outShape.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  // Views after the allocation: growing the heap detaches earlier views.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const block = src.length;
  dst.set(src);
  for (let filled = block; filled < total; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, total - filled));
  return out;
}
