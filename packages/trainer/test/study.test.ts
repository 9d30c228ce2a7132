import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/report';
import { expandGrid, mergeStudy, runStudy, shardRuns, type EpochRecord, type StudyEvent, type StudyOptions } from '../src/index';
import { tinyModel, tinySplit, useCpu } from './tiny-fixtures';

beforeAll(useCpu);

const data = { train: tinySplit({ classes: 4, perClass: 20, seed: 1 }), val: tinySplit({ classes: 4, perClass: 5, seed: 2, split: 'val' }) };
const mlp = { name: 'mlp', create: ({ seed, numClasses }: { seed: number; numClasses: number }) => tinyModel({ classes: numClasses, seed: seed + 1 }) };
const base = (outDir: string): StudyOptions => ({
  models: [mlp],
  regularization: [{ l1: 0, l2: 0 }, { l1: 1e-3, l2: 0 }, { l1: 0, l2: 1e-3 }],
  seeds: [0, 1],
  epochs: 2,
  batchSize: 20,
  optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 },
  data,
  outDir,
});
const tmp = () => mkdtempSync(join(tmpdir(), 'regstudy-study-'));
const readHistory = (dir: string, runId: string) =>
  (JSON.parse(readFileSync(join(dir, runId, 'history.json'), 'utf8')) as EpochRecord[]).map(
    ({ epochSeconds: _e, imagesPerSecond: _i, weightStats: _w, ...rest }) => rest,
  );

describe('runStudy', () => {
  it('writes one directory per run, skips finished runs, and shards merge into the same results', async () => {
    const whole = tmp();
    const events: StudyEvent[] = [];
    const result = await runStudy({ ...base(whole), onEvent: (e) => events.push(e) });
    const ids = result.runs.map((r) => r.runId);
    expect(ids).toEqual([
      'mlp_l1-0_l2-0_seed-0', 'mlp_l1-0_l2-0_seed-1', 'mlp_l1-0.001_l2-0_seed-0',
      'mlp_l1-0.001_l2-0_seed-1', 'mlp_l1-0_l2-0.001_seed-0', 'mlp_l1-0_l2-0.001_seed-1',
    ]);
    for (const id of ids) {
      expect(readdirSync(join(whole, id)).sort()).toEqual(['checkpoint', 'config.json', 'history.csv', 'history.json', 'model', 'status.json']);
      const status = JSON.parse(readFileSync(join(whole, id, 'status.json'), 'utf8'));
      expect(status).toMatchObject({ status: 'completed', epochsCompleted: 2 });
      const csv = readFileSync(join(whole, id, 'history.csv'), 'utf8').trim().split('\n');
      expect(csv).toHaveLength(3);
      expect(csv[0]!.startsWith('epoch,trainLoss,trainPenalty')).toBe(true);
      const penalties = readHistory(whole, id).map((r) => r.trainPenalty);
      if (id.includes('l1-0.001')) penalties.forEach((p) => expect(p).toBeGreaterThan(0));
      else penalties.forEach((p) => expect(p).toBe(0));
    }
    expect(events.filter((e) => e.type === 'run-end')).toHaveLength(6);

    // started again: everything is skipped
    const again: StudyEvent[] = [];
    const rerun = await runStudy({ ...base(whole), onEvent: (e) => again.push(e) });
    expect(rerun.runs.every((r) => r.status === 'skipped')).toBe(true);
    expect(again.some((e) => e.type === 'train')).toBe(false);

    // two shards in separate directories, then merged
    const shardDirs = [tmp(), tmp()];
    const r0 = await runStudy({ ...base(shardDirs[0]!), shard: { index: 0, count: 2 } });
    const r1 = await runStudy({ ...base(shardDirs[1]!), shard: { index: 1, count: 2 } });
    expect(r0.runs.map((r) => r.runId)).toEqual([ids[0], ids[2], ids[4]]);
    expect(r1.runs.map((r) => r.runId)).toEqual([ids[1], ids[3], ids[5]]);
    const merged = tmp();
    const m = await mergeStudy(shardDirs, merged);
    expect(m.missing).toEqual([]);
    expect(m.runs).toEqual([...ids].sort());
    for (const id of ids) {
      expect(existsSync(join(merged, id, 'checkpoint'))).toBe(false);
      expect(readHistory(merged, id)).toEqual(readHistory(whole, id));
    }
    // the merged shards give the same report tables as the single study
    const reportWhole = await buildReport({ studyDir: whole, outDir: join(tmp(), 'r'), figures: false });
    const reportMerged = await buildReport({ studyDir: merged, outDir: join(tmp(), 'r'), figures: false });
    expect(reportMerged.tables).toEqual(reportWhole.tables);
    expect(reportWhole.tables[0]!.rows).toHaveLength(3);
    expect(reportWhole.tables[0]!.rows[1]!.diffVsUnregularized).not.toBeNull();
    // a merge of one shard reports the others as missing
    const partial = await mergeStudy([shardDirs[0]!], tmp());
    expect(partial.missing).toEqual([ids[1], ids[3], ids[5]]);
  });

  it('assigns every run to exactly one shard', () => {
    const grid = expandGrid({ models: ['initial', 'new', 'resnet18'], regularization: [{ l1: 0, l2: 0, l2Mode: 'weight-decay', select: 'all', proximalL1: 0, decoupledDecay: 0 }, { l1: 1e-4, l2: 0, l2Mode: 'weight-decay', select: 'all', proximalL1: 0, decoupledDecay: 0 }], seeds: [0, 1, 2], epochs: 1 });
    expect(grid).toHaveLength(18);
    const parts = [0, 1, 2, 3, 4].map((index) => shardRuns(grid, { index, count: 5 }).map((r) => r.runId));
    expect(parts.flat().sort()).toEqual(grid.map((r) => r.runId).sort());
    expect(parts.map((p) => p.length)).toEqual([4, 4, 4, 3, 3]);
  });

  it('fails at once on bad specs, naming the field', async () => {
    const out = tmp();
    await expect(runStudy({ ...base(out), models: ['vgg'] })).rejects.toThrow(/^runStudy\(\): option 'models\.0': expected a known model \(initial, new, resnet18, resnet34\) or \{ name, create \}, got "vgg"$/);
    await expect(runStudy({ ...base(out), regularization: [{ l1: -1e-4 }] })).rejects.toThrow("runStudy(): option 'regularization.0.l1': expected a number >= 0, got -0.0001");
    await expect(runStudy({ ...base(out), epochs: 0 })).rejects.toThrow(/^runStudy\(\): option 'epochs': /);
    await expect(runStudy({ ...base(out), shard: { index: 2, count: 2 } })).rejects.toThrow("runStudy(): option 'shard.index': expected an integer < count (2), got 2");
    await expect(runStudy({ ...base(out), models: ['initial'], epochs: { new: 3 } })).rejects.toThrow("runStudy(): option 'epochs.initial': is required (model 'initial' is in models)");
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('runStudy with @regstudy/architectures models by name', () => {
  it("builds 'new' through createModel (input shape and classes from the data) and trains it", async () => {
    const outDir = tmp();
    // 16x16 images keep the cpu backend fast; the input shape follows the data's imageSize.
    const small = { train: tinySplit({ classes: 4, perClass: 5, imageSize: 16, seed: 1 }), val: tinySplit({ classes: 4, perClass: 2, imageSize: 16, seed: 2 }) };
    const result = await runStudy({ models: ['new'], regularization: [{ l1: 1e-4, l2: 0 }], epochs: 1, batchSize: 10, data: small, outDir, checkpoint: false });
    expect(result.runs).toMatchObject([{ runId: 'new_l1-0.0001_l2-0_seed-0', status: 'completed' }]);
    const config = JSON.parse(readFileSync(join(outDir, 'new_l1-0.0001_l2-0_seed-0', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model: 'new', numClasses: 4, trainCount: 20, epochs: 1, optimizer: { kind: 'sgd', learningRate: 0.001, momentum: 0.9 } });
    expect(readHistory(outDir, 'new_l1-0.0001_l2-0_seed-0')[0]!.trainPenalty).toBeGreaterThan(0);
  });
});

describe('runStudy stops and resumes', () => {
  it('an abort stops the study; started again it skips finished runs and resumes the aborted one', async () => {
    const outDir = tmp();
    const controller = new AbortController();
    const opts = { ...base(outDir), regularization: [{ l1: 0, l2: 0 }, { l1: 1e-3, l2: 0 }], seeds: [0], epochs: 3 };
    const first = await runStudy({
      ...opts,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'train' && e.runId === 'mlp_l1-0.001_l2-0_seed-0' && e.event.type === 'checkpoint' && e.event.epoch === 2) controller.abort();
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.runs.map((r) => r.status)).toEqual(['completed', 'aborted']);
    const status = JSON.parse(readFileSync(join(outDir, 'mlp_l1-0.001_l2-0_seed-0', 'status.json'), 'utf8'));
    expect(status).toMatchObject({ status: 'aborted', epochsCompleted: 2 });
    const events: StudyEvent[] = [];
    const second = await runStudy({ ...opts, onEvent: (e) => events.push(e) });
    expect(second.runs.map((r) => r.status)).toEqual(['skipped', 'completed']);
    const start = events.find((e) => e.type === 'train' && e.event.type === 'start');
    expect(start).toMatchObject({ event: { resumed: true, startEpoch: 3 } });
    expect(readHistory(outDir, 'mlp_l1-0.001_l2-0_seed-0').map((r) => r.epoch)).toEqual([1, 2, 3]);
  });

  it('a run that throws is recorded as failed and the study goes on', async () => {
    const outDir = tmp();
    const broken = { name: 'broken', create: () => { throw new Error('no such layer'); } };
    const result = await runStudy({ ...base(outDir), models: [broken, mlp], regularization: [{ l1: 0, l2: 0 }], seeds: [0], epochs: 1 });
    expect(result.runs.map((r) => r.status)).toEqual(['failed', 'completed']);
    const status = JSON.parse(readFileSync(join(outDir, 'broken_l1-0_l2-0_seed-0', 'status.json'), 'utf8'));
    expect(status).toMatchObject({ status: 'failed', error: 'no such layer' });
  });
});
