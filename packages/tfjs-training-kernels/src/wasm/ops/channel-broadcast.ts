import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelRunner } from '../runtime/kernel-runner';
import { channelBinary } from './channel-ops';

/** Channel counts below this are widened. */
export const NARROW_CHANNELS_MAX = 48;
/** Target row length (floats) of the widened operands. */
const WIDE_ROW = 256;

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * When a float32 binary op broadcasts a per-channel vector (`[C]` or `[1, ..., 1, C]`) over a
 * tensor `[..., C]` with few channels, returns how to widen it: `rows` groups of `C`, so that the
 * op runs on `[M / rows, rows * C]` and `[rows * C]`. Null otherwise.
 *
 * XNNPACK's broadcasting kernels are slow on short rows: `[64,64,64,10] + [10]` takes 4.7 ms,
 * the same add on `[4096, 640] + [640]` 1.1 ms (2 threads).
 */
export function narrowChannelBroadcast(a: TensorInfo, b: TensorInfo): { big: TensorInfo; vec: TensorInfo; rows: number } | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const sa = sizeOf(a.shape);
  const sb = sizeOf(b.shape);
  const [big, vec] = sa >= sb ? [a, b] : [b, a];
  const c = big.shape[big.shape.length - 1];
  if (c === undefined || c >= NARROW_CHANNELS_MAX || vec.shape.length > big.shape.length) return null;
  if (vec.shape[vec.shape.length - 1] !== c || sizeOf(vec.shape) !== c) return null;
  const m = sizeOf(big.shape) / c;
  const want = Math.ceil(WIDE_ROW / c);
  for (let rows = want; rows <= 4 * want && rows <= m; rows++) {
    if (m % rows === 0) return { big, vec, rows };
  }
  return null;
}

/**
 * Runs binary kernel `name` (`Add`, `Sub`, `Multiply`) on `a` and `b` with the per-channel operand
 * tiled `rows` times and the other viewed as `[M / rows, rows * C]` (see
 * {@link narrowChannelBroadcast}); operand order is kept. When `rows * C` is a multiple of 4 the
 * op is one generated pass (`channelBinary`), else the stock kernel. Returns null when the shapes
 * do not qualify.
 */
export function wideChannelBinary(r: KernelRunner, name: string, a: TensorInfo, b: TensorInfo): TensorInfo | null {
  const plan = narrowChannelBroadcast(a, b);
  if (plan === null) return null;
  const { big, vec, rows } = plan;
  const c = big.shape[big.shape.length - 1]!;
  const wide = r.run('Tile', { x: r.reshape(vec, [1, c]) }, { reps: [rows, 1] }); // [rows, C]
  const row = r.reshape(wide, [rows * c]);
  const mat = r.reshape(big, [sizeOf(big.shape) / (rows * c), rows * c]);
  // rows of a multiple of 4 floats: one generated pass (flag REGSTUDY_WASM_CHANNEL_KERNELS)
  const op = name as 'Add' | 'Sub' | 'Multiply';
  const fast = big === a ? channelBinary(r.backend, op, mat, row, big.shape) : channelBinary(r.backend, op, row, mat, big.shape);
  if (fast !== null) return fast;
  const out = big === a ? r.run(name, { a: mat, b: row }) : r.run(name, { a: row, b: mat });
  return r.keep(r.reshape(out, [...big.shape]));
}
