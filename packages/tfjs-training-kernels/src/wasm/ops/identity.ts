import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` that {@link identity} uses. */
export interface RefCountingBackend {
  /** Adds a reference to the data, which is then freed only when every reference is disposed. */
  incRef(dataId: object): void;
}

/** Narrows a kernel's backend to {@link RefCountingBackend}, or returns null. */
export function asRefCountingBackend(backend: unknown): RefCountingBackend | null {
  const b = backend as Partial<RefCountingBackend> | null;
  return b !== null && typeof b?.incRef === 'function' ? (b as RefCountingBackend) : null;
}

/**
 * `Identity` (what `tf.clone` and tfjs-core's gradient bookkeeping run) without a copy: the result
 * shares the input's heap buffer, reference-counted, as the wasm `Reshape` and the cpu backend's
 * `Identity` already do; tensors are immutable, so sharing is invisible. The stock wasm kernel
 * copied every element (ResNet-18 runs ~140 identities per training step, ~50 ms of copies).
 *
 * Returns `null` (use the stock kernel) for strings, whose bytes live outside the heap.
 */
export function identity(backend: RefCountingBackend, x: TensorInfo): TensorInfo | null {
  if (x.dtype === 'string') return null;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/**
 * `Cast` to the dtype the tensor already has (tfjs-core's ReLU gradient casts its float mask to
 * float32) as {@link identity}: the stock wasm kernel copies every element even then. Returns
 * `null` (use the stock kernel) for real conversions.
 */
export function castToSameType(backend: RefCountingBackend, x: TensorInfo, dtype: string): TensorInfo | null {
  return x.dtype === dtype ? identity(backend, x) : null;
}
