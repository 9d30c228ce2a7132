import { createEventStream } from './event-stream';
import { train } from './train';
import type { TrainOptions } from './train-options';
import type { TrainEvent, TrainResult } from './types';

/**
 * Starts {@link train} and returns its events as an async iterable plus the final result.
 * `onEvent` in the options is still called. The iterable ends when training ends.
 *
 * ```ts
 * const { events, result } = trainStream(opts);
 * for await (const e of events) if (e.type === 'epoch') chart.add(e.record);
 * const { status, history } = await result;
 * ```
 */
export function trainStream(options: TrainOptions): { events: AsyncIterable<TrainEvent>; result: Promise<TrainResult> } {
  const stream = createEventStream<TrainEvent>();
  const result = train({
    ...options,
    onEvent: (e) => {
      options.onEvent?.(e);
      stream.push(e);
    },
  }).finally(() => stream.close());
  return { events: stream, result };
}
