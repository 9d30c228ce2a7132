import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadTorchStateDict } from '@regstudy/architectures';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, memoryCheckpointStore, runStudy, train, type EpochRecord, type RunStatus } from '../src/index';
import { fsCheckpointStore, loadKeptModel } from '../src/node';
import { keptWeightsHook } from '../src/study/keep-run-weights';
import { recoverKeptWeights } from '../src/study/kept-weights';
import { tinyModel, tinySplit, useCpu } from './tiny-fixtures';

beforeAll(useCpu);

const data = { train: tinySplit({ classes: 4, perClass: 10, seed: 1 }), val: tinySplit({ classes: 4, perClass: 5, seed: 2, split: 'val' }) };
const conv = { name: 'conv', create: ({ seed, numClasses }: { seed: number; numClasses: number }) => tinyModel({ classes: numClasses, seed: seed + 1, conv: true, batchNorm: true }) };
const tmp = () => mkdtempSync(join(tmpdir(), 'regstudy-keep-'));
const read = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const values = (m: { weights: { read(): tf.Tensor }[] }) => m.weights.map((w) => Array.from(w.read().dataSync()));
const record = (epoch: number, valAccuracy: number): EpochRecord => ({
  epoch, trainLoss: 1, trainPenalty: 0, trainTotalLoss: 1, trainAccuracy: 0.5, valLoss: 1, valDataLoss: 1, valAccuracy,
  learningRate: 0.1, epochSeconds: 1, imagesPerSecond: 1,
});
const setAll = (m: ReturnType<typeof tinyModel>, v: number) => {
  const ts = m.weights.map((w) => tf.fill(w.shape as number[], v));
  m.setWeights(ts);
  tf.dispose(ts);
};

describe('runStudy keepWeights', () => {
  it('keeps best and last in model/ (tfjs and PyTorch), loadable with the same weights and val accuracy', async () => {
    const out = tmp();
    const before = tf.memory().numTensors;
    const result = await runStudy({
      models: [conv], regularization: [{ l1: 1e-3, l2: 0 }], seeds: [0], epochs: 3, batchSize: 10,
      optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 }, data, outDir: out, weightStats: false,
    });
    const dir = result.runs[0]!.dir;
    expect(result.runs[0]!.status).toBe('completed');
    for (const which of ['best', 'last']) {
      expect(readdirSync(join(dir, 'model', which)).sort()).toEqual(['model.json', 'model.safetensors', 'weights.bin']);
    }
    expect(readdirSync(join(dir, 'model')).sort()).toEqual(['best', 'last']);
    const history = read<EpochRecord[]>(join(dir, 'history.json'));
    const status = read<RunStatus>(join(dir, 'status.json'));

    const last = await loadKeptModel(dir, 'last');
    expect(last.metadata).toMatchObject({ which: 'last', epoch: 3, valAccuracy: history[2]!.valAccuracy });
    // the last epoch's checkpoint holds the same weights, in model.weights order
    const ckpt = (await fsCheckpointStore(join(dir, 'checkpoint')).load())!;
    expect(values(last.model)).toEqual(ckpt.weights.map((w) => Array.from(w.data)));

    const best = await loadKeptModel(dir);
    const epoch = status.best!.epoch;
    expect(best.metadata).toMatchObject({ which: 'best', epoch, valAccuracy: status.best!.valAccuracy });
    const ev = await evaluate({ model: best.model, data: data.val, batchSize: 10, regularization: { l1: 1e-3, l2: 0 } });
    expect(ev.count).toBe(20);
    expect(ev.accuracy).toBeCloseTo(history[epoch - 1]!.valAccuracy, 10);
    expect(ev.dataLoss).toBeCloseTo(history[epoch - 1]!.valDataLoss, 5);
    expect(ev.loss).toBeCloseTo(history[epoch - 1]!.valLoss, 5);

    // the PyTorch state dict holds the same weights as the tfjs files (loaded into a copy with the
    // same layer names, which the tiny model's are not across processes)
    const copy = (await loadKeptModel(dir, 'last')).model;
    loadTorchStateDict(copy, new Uint8Array(readFileSync(join(dir, 'model', 'best', 'model.safetensors'))));
    expect(values(copy)).toEqual(values(best.model));
    [copy, best.model, last.model].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps nothing with keepWeights: false, only tfjs with [tfjs]', async () => {
    const opts = {
      models: [conv], regularization: [{ l1: 0, l2: 0 }], seeds: [0], epochs: 1, batchSize: 20,
      data, weightStats: false,
    };
    const none = await runStudy({ ...opts, outDir: tmp(), keepWeights: false });
    expect(existsSync(join(none.runs[0]!.dir, 'model'))).toBe(false);
    const tfjs = await runStudy({ ...opts, outDir: tmp(), keepWeights: ['tfjs'] });
    expect(readdirSync(join(tfjs.runs[0]!.dir, 'model', 'best')).sort()).toEqual(['model.json', 'weights.bin']);
    await expect(runStudy({ ...opts, outDir: tmp(), keepWeights: ['onnx' as 'tfjs'] })).rejects.toThrow(/keepWeights/);
  });
});

describe('keptWeightsHook', () => {
  it('writes best only when the epoch becomes the best, last every epoch, and best survives a resume', async () => {
    const modelDir = join(tmp(), 'model');
    const m = tinyModel({ classes: 3 });
    const hook = (await keptWeightsHook(modelDir, ['tfjs'])).afterEpoch!;
    setAll(m, 1);
    await hook({ record: record(1, 0.5), best: { epoch: 1, valAccuracy: 0.5, trainAccuracy: 0.5 }, model: m });
    setAll(m, 2);
    await hook({ record: record(2, 0.4), best: { epoch: 1, valAccuracy: 0.5, trainAccuracy: 0.5 }, model: m });
    // a resumed run: a new hook, epoch 3 not better
    const resumed = (await keptWeightsHook(modelDir, ['tfjs'])).afterEpoch!;
    setAll(m, 3);
    await resumed({ record: record(3, 0.45), best: { epoch: 1, valAccuracy: 0.5, trainAccuracy: 0.5 }, model: m });
    const best = await loadKeptModel(join(modelDir, '..'));
    const last = await loadKeptModel(join(modelDir, '..'), 'last');
    expect(best.metadata?.epoch).toBe(1);
    expect(last.metadata?.epoch).toBe(3);
    expect(values(best.model).flat().every((v) => v === 1)).toBe(true);
    expect(values(last.model).flat().every((v) => v === 3)).toBe(true);
    [m, best.model, last.model].forEach((x) => x.dispose());
  });

  it('recovers a best folder renamed aside by a crash mid-swap and removes temporary folders', async () => {
    const modelDir = join(tmp(), 'model');
    const m = tinyModel({ classes: 3 });
    const hook = (await keptWeightsHook(modelDir, ['tfjs'])).afterEpoch!;
    await hook({ record: record(1, 0.5), best: { epoch: 1, valAccuracy: 0.5, trainAccuracy: 0.5 }, model: m });
    renameSync(join(modelDir, 'best'), join(modelDir, '.best.old-1-2'));
    renameSync(join(modelDir, 'last'), join(modelDir, '.last.tmp-1-2'));
    await recoverKeptWeights(modelDir);
    expect(readdirSync(modelDir).sort()).toEqual(['best']);
    const best = await loadKeptModel(join(modelDir, '..'));
    expect(best.metadata?.epoch).toBe(1);
    await expect(loadKeptModel(join(modelDir, '..'), 'last')).rejects.toThrow(/model\/last\/model.json: not found/);
    [m, best.model].forEach((x) => x.dispose());
  });
});

describe('train afterEpoch', () => {
  it('is awaited after each epoch, before its checkpoint, with the model holding that epoch\'s weights', async () => {
    const order: string[] = [];
    const store = memoryCheckpointStore();
    const model = tinyModel({ classes: 4 });
    await train({
      model, train: data.train, val: data.val, epochs: 2, batchSize: 20, weightStats: false,
      checkpoint: { load: () => store.load(), save: async (s) => { order.push(`save ${s.epoch}`); await store.save(s); } },
      afterEpoch: async ({ record, model: m }) => {
        await new Promise((r) => setTimeout(r, 5));
        const ev = await evaluate({ model: m, data: data.val, batchSize: 20 });
        expect(ev.accuracy).toBe(record.valAccuracy);
        order.push(`after ${record.epoch}`);
      },
    });
    expect(order).toEqual(['after 1', 'save 1', 'after 2', 'save 2']);
    model.dispose();
  });
});
