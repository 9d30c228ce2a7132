import type { TensorInfo } from '@tensorflow/tfjs-core';
import { CHANNEL_KERNELS_FLAG, flagOn } from '../flags';
import { channelKernelFn, type ChannelCall, type ChannelExport, type ChannelKernel, type UnaryExport } from '../codegen/channel-kernels';
import { heapOffset, ownGemm, ownGemmInstalledFor, type WasmTensorBackend } from './own-gemm-matmul';
import { standaloneBackendFunction } from '../codegen/standalone-function';

/** Tensors below this many elements keep the stock kernels (a call's fixed cost dominates there). */
export const CHANNEL_OPS_MIN_ELEMENTS = 4096;

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * The runner of an elementwise kernel of `channel-kernels.ts` for `backend`: the installed GEMM's
 * (split over its threads) when it belongs to `backend`, else the function compiled alone for the
 * backend's heap; null when the flag `REGSTUDY_WASM_CHANNEL_KERNELS` is off or neither exists.
 */
function runner(backend: unknown, name: ChannelExport): ((...call: ChannelCall) => void) | null {
  if (!flagOn(CHANNEL_KERNELS_FLAG)) return null;
  const be = backend as Partial<WasmTensorBackend>;
  if (typeof be.dataIdMap?.get !== 'function' || typeof be.makeOutput !== 'function') return null;
  const gemm = ownGemmInstalledFor(backend) ? ownGemm() : null;
  const threaded = gemm?.channel?.bind(gemm);
  if (threaded !== undefined) return (...call) => threaded(name, ...call);
  return standaloneBackendFunction<ChannelKernel>(backend, `channel:${name}`, () => channelKernelFn(name));
}

/**
 * `a + b`, `a - b` or `a * b` where one operand is a float32 per-channel vector (`[C]` or
 * `[1, ..., 1, C]`) and the other a float32 `[..., C]` of at least
 * {@link CHANNEL_OPS_MIN_ELEMENTS} elements, `C` a multiple of 4, on one generated pass
 * (`chanAdd`, `chanSub` / `chanRsub`, `chanMul`). The output has the larger operand's shape, or
 * `outShape` (same size). Null (the caller runs another kernel) otherwise.
 */
export function channelBinary(backend: unknown, op: 'Add' | 'Sub' | 'Multiply', a: TensorInfo, b: TensorInfo, outShape?: readonly number[]): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const sa = sizeOf(a.shape);
  const sb = sizeOf(b.shape);
  const vecFirst = sa < sb;
  const [big, vec] = vecFirst ? [b, a] : [a, b];
  const c = big.shape[big.shape.length - 1];
  if (c === undefined || c % 4 !== 0 || c === 0 || vec.shape.length > big.shape.length) return null;
  if (sizeOf(vec.shape) !== c || vec.shape[vec.shape.length - 1] !== c || sizeOf(big.shape) < CHANNEL_OPS_MIN_ELEMENTS) return null;
  const name: ChannelExport = op === 'Add' ? 'chanAdd' : op === 'Multiply' ? 'chanMul' : vecFirst ? 'chanRsub' : 'chanSub';
  const run = runner(backend, name);
  if (run === null) return null;
  const be = backend as WasmTensorBackend;
  const out = be.makeOutput([...(outShape ?? big.shape)], 'float32');
  run(heapOffset(be, big), heapOffset(be, vec), heapOffset(be, out), sizeOf(big.shape) / c, c, 0, 0, 0);
  return out;
}

/**
 * `y = (x - mean) * k + offset` in one generated pass (`chanNorm`) for a float32 `x` of `[..., C]`
 * (`C` a multiple of 4, at least {@link CHANNEL_OPS_MIN_ELEMENTS} elements) and float32 `[C]`
 * vectors `mean`, `k`, `offset` (the caller computes `k = scale * rsqrt(variance + eps)`, and
 * passes zeros for a missing offset). Null otherwise.
 */
export function channelNorm(backend: unknown, x: TensorInfo, mean: TensorInfo, k: TensorInfo, offset: TensorInfo): TensorInfo | null {
  const c = x.shape[x.shape.length - 1];
  if (x.dtype !== 'float32' || c === undefined || c % 4 !== 0 || c === 0 || sizeOf(x.shape) < CHANNEL_OPS_MIN_ELEMENTS) return null;
  if (![mean, k, offset].every((t) => t.dtype === 'float32' && sizeOf(t.shape) === c)) return null;
  const run = runner(backend, 'chanNorm');
  if (run === null) return null;
  const be = backend as WasmTensorBackend;
  const out = be.makeOutput([...x.shape], 'float32');
  run(heapOffset(be, x), heapOffset(be, mean), heapOffset(be, k), heapOffset(be, offset), heapOffset(be, out), sizeOf(x.shape) / c, c, 0);
  return out;
}

/**
 * `Relu` (`x < 0 ? 0 : x`), `Square` (`x * x`) or `Floor` (`floor(x)`, as `Math.floor`) of a
 * float32 tensor of at least {@link CHANNEL_OPS_MIN_ELEMENTS} elements in one generated pass.
 * Null otherwise.
 */
export function unaryMap(backend: unknown, name: UnaryExport, x: TensorInfo): TensorInfo | null {
  const n = sizeOf(x.shape);
  if (x.dtype !== 'float32' || n < CHANNEL_OPS_MIN_ELEMENTS) return null;
  const run = runner(backend, name);
  if (run === null) return null;
  const be = backend as WasmTensorBackend;
  const out = be.makeOutput([...x.shape], 'float32');
  run(heapOffset(be, x), heapOffset(be, out), n, 0, 0, 0, 0, 0);
  return out;
}

/** Row-broadcast binary ops up to this many output elements run as one JavaScript pass. */
export const ROW_BROADCAST_MAX_ELEMENTS = 65536;

/**
 * `a op b` where one float32 operand is `[..., R, 1]` and the other `[..., R, C]` (same leading
 * dimensions: a per-row value, as in the softmax cross-entropy gradient's `[64, 1] * [64, 200]`),
 * at most {@link ROW_BROADCAST_MAX_ELEMENTS} elements, as one JavaScript pass over the heap: the
 * stock kernel's broadcasting path costs ~0.7-1.3 ms per call on `[64, 200]`. The same float32
 * operation per element as the stock kernel (`Math.fround` of the double result). Null otherwise.
 */
export function rowBroadcastBinary(backend: unknown, op: 'Add' | 'Sub' | 'Multiply', a: TensorInfo, b: TensorInfo): TensorInfo | null {
  if (!flagOn(CHANNEL_KERNELS_FLAG) || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length < 2 || a.shape.length !== b.shape.length) return null;
  const rank = a.shape.length;
  const [ca, cb] = [a.shape[rank - 1]!, b.shape[rank - 1]!];
  const rowFirst = ca === 1 && cb > 1;
  if (!rowFirst && !(cb === 1 && ca > 1)) return null;
  if (!a.shape.slice(0, -1).every((d, i) => d === b.shape[i])) return null;
  const big = rowFirst ? b : a;
  const c = rowFirst ? cb : ca;
  const n = sizeOf(big.shape);
  if (n === 0 || n > ROW_BROADCAST_MAX_ELEMENTS) return null;
  const be = backend as Partial<WasmTensorBackend>;
  if (typeof be.dataIdMap?.get !== 'function' || typeof be.makeOutput !== 'function' || typeof be.typedArrayFromHeap !== 'function') return null;
  const out = be.makeOutput([...big.shape], 'float32');
  const va = be.typedArrayFromHeap(a) as Float32Array;
  const vb = be.typedArrayFromHeap(b) as Float32Array;
  const vo = be.typedArrayFromHeap(out) as Float32Array;
  for (let r = 0, i = 0; i < n; r++) {
    for (let j = 0; j < c; j++, i++) {
      const x = rowFirst ? va[r]! : va[i]!;
      const y = rowFirst ? vb[i]! : vb[r]!;
      vo[i] = op === 'Add' ? x + y : op === 'Sub' ? x - y : x * y;
    }
  }
  return out;
}

/**
 * The relu gradient `dy * step(x)` of two float32 tensors of one shape in one pass (the generated
 * `reluGrad`, split over the GEMM's threads; a JavaScript pass with the same rule where no
 * generated function is available): `x > 0 ? dy : dy * (isNaN(x) ? NaN : 0)`, bit for bit what
 * tfjs' `Step` then `Multiply` give.
 */
export function reluGrad(backend: unknown, dy: TensorInfo, x: TensorInfo): TensorInfo {
  const be = backend as WasmTensorBackend;
  const n = sizeOf(x.shape);
  const out = be.makeOutput([...x.shape], 'float32');
  const run = n >= CHANNEL_OPS_MIN_ELEMENTS ? runner(backend, 'reluGrad') : null;
  if (run !== null) {
    run(heapOffset(be, dy), heapOffset(be, x), heapOffset(be, out), n, 0, 0, 0, 0);
    return out;
  }
  const [g, v, o] = [be.typedArrayFromHeap(dy) as Float32Array, be.typedArrayFromHeap(x) as Float32Array, be.typedArrayFromHeap(out) as Float32Array];
  for (let i = 0; i < n; i++) o[i] = v[i]! > 0 ? g[i]! : g[i]! * (Number.isNaN(v[i]!) ? Number.NaN : 0);
  return out;
}

/**
 * The average-pooling gradient of windows that tile the input (window = stride, no padding) in
 * one generated pass (`poolSpread`): `dx[n, y kh + a, x kw + b, :] = dy[n, y, x, :] * (1 / (kh kw))`
 * (the factor rounded to float32 once, as the composite it replaces multiplies by a float32 fill).
 * Null where no generated function is available or the flag `REGSTUDY_WASM_CHANNEL_KERNELS` is off.
 */
export function poolSpread(backend: unknown, dy: TensorInfo, shape: readonly [number, number, number, number], kh: number, kw: number): TensorInfo | null {
  const [n, h, w, c] = shape;
  if (dy.dtype !== 'float32' || n * h * w * c < CHANNEL_OPS_MIN_ELEMENTS) return null;
  const run = runner(backend, 'poolSpread');
  if (run === null) return null;
  const be = backend as WasmTensorBackend;
  const out = be.makeOutput([n, h, w, c], 'float32');
  const scaleBits = new Int32Array(Float32Array.of(1 / (kh * kw)).buffer)[0]!;
  run(heapOffset(be, dy), heapOffset(be, out), n * (h / kh), w / kw, c, kh, kw, scaleBits);
  return out;
}
