// Makes a batch source give the worker's event loop a turn before each batch, so that a Stop
// message posted by the page is delivered while the trainer's loop runs.
import type { BatchSource } from '@regstudy/trainer';

/** Resolves on the next macrotask (a MessageChannel round trip; no 4 ms clamp like setTimeout). */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** `source`, yielding to the event loop before each of its batches. */
export function yieldingSource(source: BatchSource): BatchSource {
  return {
    count: source.count,
    async *batches(request) {
      for await (const batch of source.batches(request)) {
        try {
          await nextMacrotask();
        } catch (e) {
          batch.xs.dispose();
          batch.ys.dispose();
          throw e;
        }
        yield batch;
      }
    },
  };
}
