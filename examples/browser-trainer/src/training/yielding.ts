// Makes a batch source give the worker's event loop a turn before each batch, so that a Stop
// message posted by the page is delivered while the trainer's loop runs.
import type { BatchSource } from '@regstudy/trainer';

/**
 * Resolves from a timer task: every task already queued (a Stop message from the page, a timer
 * set earlier) runs first. Costs at most a few ms (the timer clamp) per batch.
 */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
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
