import { startThreadedGemm, workerLoopSource, type ThreadedGemmOptions, type ThreadedWasmGemm } from './threaded-gemm';

/** A classic Web Worker script: waits for its start-up data, then runs the loop forever. */
const WEB_WORKER_SOURCE = `
self.onmessage = (e) => {
  self.onmessage = null;
  const { module, memory, ctrl, spin, t, pa, pb, scratch } = e.data;
  const ready = () => self.postMessage('ready');
  ${workerLoopSource}
};`;

/** Whether this code runs in a worker (where `Atomics.wait` may block) rather than a window. */
function inWorker(): boolean {
  const g = globalThis as { WorkerGlobalScope?: abstract new () => unknown };
  return typeof g.WorkerGlobalScope === 'function' && globalThis instanceof g.WorkerGlobalScope;
}

/**
 * Starts a {@link ThreadedWasmGemm} on a shared `memory` with `threads - 1` Web Workers (from a
 * `blob:` URL, like the threaded tfjs wasm build's own workers; the page must be cross-origin
 * isolated for a shared heap). In a window the caller spins on `Atomics.load` for the workers'
 * completion (`Atomics.wait` is refused there); in a worker it sleeps.
 */
export function createWebThreadedGemm(memory: WebAssembly.Memory, options: ThreadedGemmOptions): Promise<ThreadedWasmGemm> {
  const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  return startThreadedGemm(
    'createWebThreadedGemm',
    memory,
    options,
    async (data, onError) => {
      const worker = new Worker(url, { name: `regstudy-gemm-${data.t}` });
      await new Promise<void>((resolve, reject) => {
        worker.onmessage = () => resolve();
        worker.onerror = (e) => reject(new Error(`GEMM worker failed to start: ${e.message}`));
        worker.postMessage(data);
      });
      worker.onerror = (e) => onError(e.message);
      return worker;
    },
    inWorker(),
  ).finally(() => URL.revokeObjectURL(url));
}
