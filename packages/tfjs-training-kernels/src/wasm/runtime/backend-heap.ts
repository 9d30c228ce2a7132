import { createWasmGemm, type WasmGemm, type WasmGemmOptions } from './gemm';

/** The parts of tfjs-backend-wasm's emscripten module that locate its heap. */
interface EmscriptenModule {
  /** Threaded build: the (shared) memory created in JS and imported by the module. */
  wasmMemory?: WebAssembly.Memory;
  /** Non-threaded builds: the module's exports, including its own `memory`. */
  asm?: { memory?: WebAssembly.Memory };
  _malloc?: (bytes: number) => number;
}

/** The tfjs wasm backend's heap: its memory object and allocator. */
export interface WasmBackendHeap {
  memory: WebAssembly.Memory;
  /** Emscripten's `malloc` (byte offset; never freed by us). */
  malloc: (bytes: number) => number;
}

/**
 * Finds the `WebAssembly.Memory` of an initialised tfjs-backend-wasm 4.x backend (`tf.backend()`
 * when the wasm backend is active): the threaded build keeps the imported shared memory in
 * `backend.wasm.wasmMemory`, the single-threaded builds export theirs as `backend.wasm.asm.memory`.
 * Throws naming the missing field when neither is there (another tfjs-backend-wasm layout).
 */
export function wasmBackendHeap(backend: unknown): WasmBackendHeap {
  const mod = (backend as { wasm?: EmscriptenModule } | null)?.wasm;
  if (mod === undefined) throw new Error('wasmBackendHeap: the backend has no `wasm` module (is the wasm backend initialised and active?)');
  const memory = mod.wasmMemory ?? mod.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('wasmBackendHeap: neither backend.wasm.wasmMemory nor backend.wasm.asm.memory is a WebAssembly.Memory (unsupported tfjs-backend-wasm build)');
  }
  const malloc = mod._malloc;
  if (typeof malloc !== 'function') throw new Error('wasmBackendHeap: backend.wasm._malloc is missing');
  return { memory, malloc: (bytes) => malloc.call(mod, bytes) };
}

/** Our {@link WasmGemm} on the wasm backend's heap, with its workspace from the backend's `malloc`. */
export function createBackendGemm(backend: unknown, options: Omit<WasmGemmOptions, 'alloc'> = {}): WasmGemm {
  const heap = wasmBackendHeap(backend);
  return createWasmGemm(heap.memory, { ...options, alloc: heap.malloc });
}
