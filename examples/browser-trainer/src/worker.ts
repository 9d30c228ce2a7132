// The training worker: runs the engine off the main thread so the page never freezes.
import { runTraining } from './training/engine';
import type { FromWorker, ToWorker } from './training/types';

interface WorkerScope {
  postMessage(m: FromWorker): void;
  addEventListener(type: 'message', fn: (ev: MessageEvent<ToWorker>) => void): void;
}
const scope = self as unknown as WorkerScope;

let controller: AbortController | null = null;
let stopFlag: Int32Array | null = null;

scope.addEventListener('message', (ev) => {
  const msg = ev.data;
  if (msg.type === 'stop') {
    controller?.abort(new Error('stopped by the user'));
    return;
  }
  if (controller) {
    scope.postMessage({ type: 'error', message: 'a run is already in progress' });
    return;
  }
  controller = new AbortController();
  stopFlag = msg.stopFlag ? new Int32Array(msg.stopFlag) : null;
  const c = controller;
  // The page can also set a shared flag (cross-origin isolated pages): seen even when the loop
  // does not yield to the event loop between batches.
  const post = (m: FromWorker): void => {
    if (stopFlag && Atomics.load(stopFlag, 0) === 1 && !c.signal.aborted) c.abort(new Error('stopped by the user'));
    scope.postMessage(m);
  };
  runTraining({ settings: msg.settings, wasmBaseUrl: msg.wasmBaseUrl, signal: c.signal, post })
    .catch((e: unknown) => {
      console.error(e);
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    })
    .finally(() => {
      controller = null;
    });
});
