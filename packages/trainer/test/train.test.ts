import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionsError, train, type TrainEvent } from '../src/index';
import { tinyModel, tinySplit, useCpu } from './tiny-fixtures';

beforeAll(useCpu);

const data = { train: tinySplit({ classes: 4, perClass: 40, seed: 1 }), val: tinySplit({ classes: 4, perClass: 10, seed: 2, split: 'val' }) };

/** Weights (first copy of each variable) of the seed-7 tiny model before any training. */
function initialTinyWeights(): Float32Array[] {
  const model = tinyModel({ classes: 4, seed: 7 });
  const w = model.getWeights().map((t) => t.dataSync().slice() as Float32Array);
  model.dispose();
  return w;
}

/** Weights of the seed-7 tiny model after one full-batch plain-SGD step (lr 0.1) with `regularization`. */
async function weightsAfterOneSgdStep(regularization: { l1?: number; l2?: number }): Promise<Float32Array[]> {
  const model = tinyModel({ classes: 4, seed: 7 });
  await train({ model, ...data, epochs: 1, batchSize: 160, weightStats: false, regularization,
    optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0 } });
  const w = model.getWeights().map((t) => t.dataSync().slice() as Float32Array);
  model.dispose();
  return w;
}

describe('train', () => {
  it('records one finite entry per epoch and learns well above chance', async () => {
    const model = tinyModel({ classes: 4 });
    const events: TrainEvent[] = [];
    const result = await train({
      model, ...data, epochs: 5, batchSize: 16, seed: 3,
      optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 },
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe('completed');
    expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const r of result.history) {
      for (const key of ['trainLoss', 'trainPenalty', 'trainTotalLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'epochSeconds', 'imagesPerSecond'] as const) {
        expect(Number.isFinite(r[key]), key).toBe(true);
      }
      expect(r.trainPenalty).toBe(0);
      expect(r.learningRate).toBe(0.05);
      expect(r.weightStats?.total.count).toBe(8 * 8 * 3 * 16 + 16 + 16 * 4 + 4);
    }
    expect(result.best!.valAccuracy).toBeGreaterThan(0.6); // chance = 0.25
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
    const batches = events.filter((e) => e.type === 'batch');
    expect(batches).toHaveLength(5 * 10);
    expect(events[0]!.type).toBe('start');
    expect(events.at(-1)!.type).toBe('end');
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(5);
    model.dispose();
  });

  it('logs the L1 penalty exactly: l1 * sum|w| over all trainable weights', async () => {
    const model = tinyModel({ classes: 4 });
    const l1 = 1e-3;
    const result = await train({ model, ...data, epochs: 1, batchSize: 160, seed: 1, regularization: { l1 }, weightStats: true,
      optimizer: { kind: 'sgd', learningRate: 1e-9, momentum: 0 } });
    // one batch, lr ~ 0: the penalty of the batch equals l1 * sum|w| at the end
    const r = result.history[0]!;
    expect(r.trainPenalty).toBeGreaterThan(0);
    expect(r.trainPenalty).toBeCloseTo(l1 * r.weightStats!.total.l1, 5);
    expect(r.valLoss - r.valDataLoss).toBeCloseTo(l1 * r.weightStats!.total.l1, 5);
    expect(r.trainTotalLoss).toBeCloseTo(r.trainLoss + r.trainPenalty, 6);
    model.dispose();
  });

  it('l2 weight-decay mode is not in the loss; penalty mode is', async () => {
    const a = tinyModel({ classes: 4 });
    const decay = await train({ model: a, ...data, epochs: 1, batchSize: 40, regularization: { l2: 1e-3 } });
    expect(decay.history[0]!.trainPenalty).toBe(0);
    const b = tinyModel({ classes: 4 });
    const pen = await train({ model: b, ...data, epochs: 1, batchSize: 40, regularization: { l2: 1e-3, l2Mode: 'penalty' } });
    expect(pen.history[0]!.trainPenalty).toBeGreaterThan(0);
    a.dispose();
    b.dispose();
  });

  it('coupled weight decay shrinks weights: one SGD step equals w - lr*(g + l2*w)', async () => {
    // identical models, lr large, l2 large: the difference after one step is lr*l2*w (no momentum)
    const initial = initialTinyWeights();
    const plain = await weightsAfterOneSgdStep({ l2: 0 });
    const decayed = await weightsAfterOneSgdStep({ l2: 0.5 });
    // decayed = plain - lr*l2*initial  (same gradient, same dropout mask)
    for (let k = 0; k < initial.length; k++) {
      for (let i = 0; i < Math.min(20, initial[k]!.length); i++) {
        expect(decayed[k]![i]).toBeCloseTo(plain[k]![i]! - 0.1 * 0.5 * initial[k]![i]!, 5);
      }
    }
  });

  it('the L1 loss term adds lr*l1*sign(w) to one SGD step, biases included (sign(0) = 0)', async () => {
    const initial = initialTinyWeights();
    const plain = await weightsAfterOneSgdStep({ l1: 0 });
    const l1 = await weightsAfterOneSgdStep({ l1: 0.01 });
    for (let k = 0; k < initial.length; k++) {
      for (let i = 0; i < Math.min(20, initial[k]!.length); i++) {
        expect(l1[k]![i]).toBeCloseTo(plain[k]![i]! - 0.1 * 0.01 * Math.sign(initial[k]![i]!), 6);
      }
    }
  });

  it('supports adam, adamw, proximal L1 and decoupled decay', async () => {
    for (const [optimizer, regularization] of [
      [{ kind: 'adam' as const, learningRate: 0.01 }, { proximalL1: 0.01 }],
      [{ kind: 'adamw' as const, learningRate: 0.01, weightDecay: 0.1 }, { decoupledDecay: 0.1, select: 'kernels' as const }],
    ] as const) {
      const model = tinyModel({ classes: 4 });
      const result = await train({ model, ...data, epochs: 2, batchSize: 32, optimizer, regularization });
      expect(result.status).toBe('completed');
      expect(result.best!.valAccuracy).toBeGreaterThan(0.25);
      model.dispose();
    }
  });

  it('proximal L1 produces exact zeros', async () => {
    const model = tinyModel({ classes: 4 });
    const result = await train({ model, ...data, epochs: 2, batchSize: 32, regularization: { proximalL1: 2 },
      optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 } });
    expect(result.history.at(-1)!.weightStats!.total.fractionNearZero).toBeGreaterThan(0.5);
    model.dispose();
  });

  it('a non-finite loss gives status diverged, not a throw', async () => {
    const model = tinyModel({ classes: 4 });
    const result = await train({ model, ...data, epochs: 3, batchSize: 16, optimizer: { kind: 'sgd', learningRate: 1e30, momentum: 0.9 } });
    expect(result.status).toBe('diverged');
    expect(result.stoppedAt?.reason).toMatch(/non-finite/);
    model.dispose();
  });

  it('an aborted signal stops between batches', async () => {
    const model = tinyModel({ classes: 4 });
    const controller = new AbortController();
    const result = await train({ model, ...data, epochs: 3, batchSize: 16, signal: controller.signal,
      onEvent: (e) => { if (e.type === 'batch' && e.epoch === 2 && e.batch === 3) controller.abort(); } });
    expect(result.status).toBe('aborted');
    expect(result.history).toHaveLength(1);
    expect(result.stoppedAt).toMatchObject({ epoch: 2, batch: 4 });
    model.dispose();
  });

  it('is deterministic for a seed and does not leak tensors across epochs', async () => {
    const counts: number[] = [];
    const run = async () => {
      const model = tinyModel({ classes: 4, conv: true, batchNorm: true });
      const r = await train({ model, ...data, epochs: 3, batchSize: 16, seed: 9,
        onEvent: (e) => { if (e.type === 'epoch') counts.push(tf.memory().numTensors); } });
      model.dispose();
      return r.history.map(({ epochSeconds: _a, imagesPerSecond: _b, weightStats, ...rest }) => ({ ...rest, total: weightStats?.total }));
    };
    const before = tf.memory().numTensors;
    const a = await run();
    const b = await run();
    expect(b).toEqual(a);
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBe(counts[0]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options naming the field', async () => {
    const model = tinyModel({ classes: 4 });
    await expect(train({ model, ...data, epochs: 0 })).rejects.toThrow("train(): option 'epochs': expected an integer >= 1, got 0");
    await expect(train({ model, ...data, epochs: 1, regularization: { l1: -1 } })).rejects.toThrow("train(): option 'regularization.l1': expected a number >= 0, got -1");
    await expect(train({ model, ...data, epochs: 1, optimizer: { kind: 'sgd', learningRate: 0 } })).rejects.toThrow("train(): option 'optimizer.learningRate': expected a number > 0, got 0");
    // @ts-expect-error unknown optimizer kind
    await expect(train({ model, ...data, epochs: 1, optimizer: { kind: 'rmsprop' } })).rejects.toThrow(
      new OptionsError('train()', { option: 'optimizer.kind', message: 'expected one of "sgd", "adam", "adamw", got "rmsprop"' }),
    );
    // @ts-expect-error not a model
    await expect(train({ model: {}, ...data, epochs: 1 })).rejects.toThrow("train(): option 'model': expected a tf.LayersModel, got an object");
    model.dispose();
  });
});

describe('trainStream', () => {
  it('yields the same events as onEvent, then ends', async () => {
    const { trainStream } = await import('../src/index');
    const model = tinyModel({ classes: 4 });
    const seen: string[] = [];
    const { events, result } = trainStream({ model, ...data, epochs: 2, batchSize: 80, onEvent: (e) => seen.push(e.type) });
    const streamed: string[] = [];
    for await (const e of events) streamed.push(e.type);
    expect((await result).status).toBe('completed');
    expect(streamed).toEqual(seen);
    expect(streamed).toEqual(['start', 'batch', 'batch', 'epoch', 'batch', 'batch', 'epoch', 'end']);
    model.dispose();
  });
});

describe('64x64 splits go through @regstudy/tinyimagenet batches', () => {
  it('trains deterministically on a 64x64 split', async () => {
    const big = { train: tinySplit({ classes: 4, perClass: 10, imageSize: 64, seed: 1 }), val: tinySplit({ classes: 4, perClass: 4, imageSize: 64, seed: 2 }) };
    const run = async () => {
      const model = tinyModel({ classes: 4, imageSize: 64 });
      const r = await train({ model, ...big, epochs: 2, batchSize: 10, seed: 4, regularization: { l1: 1e-4 }, weightStats: false,
        optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 } });
      model.dispose();
      return r;
    };
    const a = await run();
    const b = await run();
    expect(a.status).toBe('completed');
    expect(a.history[1]!.trainPenalty).toBeGreaterThan(0);
    expect(b.history.map((r) => r.trainLoss)).toEqual(a.history.map((r) => r.trainLoss));
  });
});

it('rejects labels beyond the model outputs, naming the split', async () => {
  const model = tinyModel({ classes: 3 });
  await expect(train({ model, ...data, epochs: 1 })).rejects.toThrow(
    "train(): option 'train.labels': expected labels < 3 (the model's output classes), got label 3",
  );
  model.dispose();
});
