import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch, BatchSource } from '@regstudy/trainer';
import { yieldingSource } from '../src/training/yielding';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A source of `n` one-image batches whose label is the batch index; `log` records each yield. */
function countingSource(n: number, log: string[]): BatchSource {
  return {
    count: n,
    async *batches() {
      for (let i = 0; i < n; i++) {
        log.push(`batch ${i}`);
        yield { xs: tf.zeros([1, 2, 2, 3]), ys: tf.tensor1d([i], 'int32'), size: 1 } satisfies Batch;
      }
    },
  };
}

describe('yieldingSource', () => {
  it('passes every batch through in order and lets macrotasks run between batches', async () => {
    const log: string[] = [];
    const src = yieldingSource(countingSource(3, log));
    expect(src.count).toBe(3);
    const before = tf.memory().numTensors;
    const labels: number[] = [];
    for await (const b of src.batches({ batchSize: 1, shuffle: false, seed: 0, epoch: 1 })) {
      // a macrotask queued now runs before the next batch is handed over
      setTimeout(() => log.push('macrotask'), 0);
      labels.push(b.ys.dataSync()[0]!);
      tf.dispose([b.xs, b.ys]);
    }
    expect(labels).toEqual([0, 1, 2]);
    expect(log).toEqual(['batch 0', 'batch 1', 'macrotask', 'batch 2', 'macrotask']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
