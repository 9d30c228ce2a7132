/** A push-based queue exposed as an async iterable (unbounded; events are small). */
export interface EventStream<E> extends AsyncIterable<E> {
  push(event: E): void;
  close(): void;
}

/** Creates an {@link EventStream}: `push` from a callback, `for await` on the other side. */
export function createEventStream<E>(): EventStream<E> {
  const queue: E[] = [];
  let closed = false;
  let wake: (() => void) | null = null;
  return {
    push(event) {
      if (closed) return;
      queue.push(event);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift()!;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
  };
}
