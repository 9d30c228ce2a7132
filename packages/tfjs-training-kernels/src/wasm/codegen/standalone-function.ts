import { wasmBackendHeap } from '../runtime/backend-heap';
import { isSharedMemory } from '../runtime/gemm';
import { encodeModule, type Fn } from './wasm-encoder';

const cache = new WeakMap<WebAssembly.Memory, Map<string, unknown>>();

/**
 * One generated function compiled alone for `memory` (shared or not) and cached per memory and
 * `key`: the path of a generated kernel when our GEMM (whose module holds all of them) is not
 * installed. `make()` builds the function, which the module exports under `make().name`.
 * Null where the engine refuses to compile it synchronously (e.g. a browser main thread).
 */
export function standaloneFunction<F>(memory: WebAssembly.Memory, key: string, make: () => Fn): F | null {
  let perMemory = cache.get(memory);
  if (perMemory === undefined) {
    perMemory = new Map();
    cache.set(memory, perMemory);
  }
  if (perMemory.has(key)) return perMemory.get(key) as F | null;
  let fn: F | null = null;
  try {
    const code = make();
    const limits = isSharedMemory(memory) ? { shared: true, minimumPages: 0, maximumPages: 65536 } : { shared: false, minimumPages: 0 };
    const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([code], limits)), { env: { memory } });
    fn = instance.exports[code.name] as F;
  } catch {
    fn = null;
  }
  perMemory.set(key, fn);
  return fn;
}

/** {@link standaloneFunction} on a tfjs wasm backend's heap; null if its memory cannot be found. */
export function standaloneBackendFunction<F>(backend: unknown, key: string, make: () => Fn): F | null {
  let memory: WebAssembly.Memory;
  try {
    memory = wasmBackendHeap(backend).memory;
  } catch {
    return null;
  }
  return standaloneFunction<F>(memory, key, make);
}
