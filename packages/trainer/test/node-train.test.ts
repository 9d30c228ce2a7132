import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionsError, train as trainWithStore } from '../src/index';
import { train } from '../src/node';
import { tinyModel, tinySplit, useCpu } from './tiny-fixtures';

beforeAll(useCpu);

const data = { train: tinySplit({ classes: 4, perClass: 10, seed: 1 }), val: tinySplit({ classes: 4, perClass: 5, seed: 2, split: 'val' }) };

describe('checkpoint: { dir }', () => {
  it("is refused by the main entry's train(), naming the option and the Node alternatives", async () => {
    const model = tinyModel({ classes: 4 });
    const run = trainWithStore({ model, ...data, epochs: 1, batchSize: 20, checkpoint: { dir: 'x' } as never });
    await expect(run).rejects.toBeInstanceOf(OptionsError);
    await expect(run).rejects.toThrow(/option 'checkpoint': expected a CheckpointStore; for a directory use fsCheckpointStore\(dir\)/);
    model.dispose();
  });

  it("is a directory checkpoint in @regstudy/trainer/node's train(): a second call resumes after the saved epochs", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'node-train-')), 'ckpt');
    const before = tf.memory().numTensors;
    const first = tinyModel({ classes: 4, seed: 3 });
    const a = await train({ model: first, ...data, epochs: 1, batchSize: 20, weightStats: false, checkpoint: { dir } });
    first.dispose();
    expect(a.history.map((r) => r.epoch)).toEqual([1]);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
    const second = tinyModel({ classes: 4, seed: 3 });
    const events: number[] = [];
    const b = await train({ model: second, ...data, epochs: 2, batchSize: 20, weightStats: false, checkpoint: { dir },
      onEvent: (e) => { if (e.type === 'epoch') events.push(e.record.epoch); } });
    second.dispose();
    expect(b.history.map((r) => r.epoch)).toEqual([1, 2]);
    expect(events).toEqual([2]); // epoch 1 came from the checkpoint, only epoch 2 ran
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the field when dir is empty', async () => {
    const model = tinyModel({ classes: 4 });
    await expect(train({ model, ...data, epochs: 1, batchSize: 20, checkpoint: { dir: '' } })).rejects.toThrow(/checkpoint: option 'dir': expected a string of at least 1 character/);
    model.dispose();
  });
});
