import { beforeAll, describe, expect, it } from 'vitest';
import { memoryCheckpointStore, train, type OptimizerSpec } from '../src/index';
import { tinyModel, tinySplit, useCpu } from './tiny-fixtures';

beforeAll(useCpu);

const data = { train: tinySplit({ classes: 4, perClass: 10, seed: 1 }), val: tinySplit({ classes: 4, perClass: 4, seed: 2 }) };
const strip = (h: { epochSeconds: number; imagesPerSecond: number }[]) => h.map(({ epochSeconds: _s, imagesPerSecond: _i, ...r }) => r);

describe.each<[string, OptimizerSpec]>([
  ['sgd + momentum', { kind: 'sgd', learningRate: 0.05, momentum: 0.9 }],
  ['adam', { kind: 'adam', learningRate: 0.01 }],
  ['adamw', { kind: 'adamw', learningRate: 0.01, weightDecay: 0.05 }],
])('in-process resume (%s)', (_name, optimizer) => {
  it('stop after 2 epochs + resume to 4 equals 4 straight epochs', async () => {
    const opts = { ...data, batchSize: 8, seed: 2, optimizer, regularization: { l1: 1e-4, l2: 1e-3 }, weightStats: false };
    const straightModel = tinyModel({ classes: 4, conv: true, batchNorm: true });
    const straight = await train({ ...opts, model: straightModel, epochs: 4 });
    const store = memoryCheckpointStore();
    const first = tinyModel({ classes: 4, conv: true, batchNorm: true });
    await train({ ...opts, model: first, epochs: 2, checkpoint: store });
    expect(store.latest?.epoch).toBe(2);
    const second = tinyModel({ classes: 4, conv: true, batchNorm: true });
    const resumed = await train({ ...opts, model: second, epochs: 4, checkpoint: store });
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(strip(resumed.history)).toEqual(strip(straight.history));
    const a = straightModel.getWeights().map((t) => Array.from(t.dataSync()));
    const b = second.getWeights().map((t) => Array.from(t.dataSync()));
    expect(b).toEqual(a);
    [straightModel, first, second].forEach((m) => m.dispose());
  });
});

it('a checkpoint from another optimizer or seed is refused, naming the option', async () => {
  const store = memoryCheckpointStore();
  const m1 = tinyModel({ classes: 4 });
  await train({ ...data, model: m1, epochs: 1, batchSize: 20, checkpoint: store });
  const m2 = tinyModel({ classes: 4 });
  await expect(train({ ...data, model: m2, epochs: 2, batchSize: 20, checkpoint: store, optimizer: { kind: 'adam' } })).rejects.toThrow(/optimizer\.kind/);
  await expect(train({ ...data, model: m2, epochs: 2, batchSize: 20, checkpoint: store, seed: 5 })).rejects.toThrow(/options\.seed/);
  m1.dispose();
  m2.dispose();
});
