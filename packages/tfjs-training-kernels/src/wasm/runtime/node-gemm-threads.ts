import { Worker } from 'node:worker_threads';
import { wasmBackendHeap } from './backend-heap';
import { startThreadedGemm, workerLoopSource, type ThreadedGemmOptions, type ThreadedWasmGemm } from './threaded-gemm';

/** A CommonJS script run with `eval: true`, so no separate file has to ship or be located. */
export const NODE_WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, ctrl, spin, t, pa, pb, scratch } = workerData;
const ready = () => parentPort.postMessage('ready');
${workerLoopSource}`;

/**
 * Starts a {@link ThreadedWasmGemm} on a shared `memory` with `threads - 1` `worker_threads`
 * workers (throws naming the option when `memory` is not shared). The workers are `unref()`ed, so
 * they never keep the process alive.
 */
export function createNodeThreadedGemm(memory: WebAssembly.Memory, options: ThreadedGemmOptions): Promise<ThreadedWasmGemm> {
  return startThreadedGemm(
    'createNodeThreadedGemm',
    memory,
    options,
    async (workerData, onError) => {
      const worker = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      worker.unref();
      worker.on('error', (e: unknown) => onError(e instanceof Error ? e.message : String(e)));
      return worker;
    },
    true,
  );
}

/** {@link createNodeThreadedGemm} on the (threaded, shared-memory) tfjs wasm backend's heap. */
export function createBackendThreadedGemm(backend: unknown, options: Omit<ThreadedGemmOptions, 'alloc'> = {}): Promise<ThreadedWasmGemm> {
  const heap = wasmBackendHeap(backend);
  return createNodeThreadedGemm(heap.memory, { ...options, alloc: heap.malloc });
}
